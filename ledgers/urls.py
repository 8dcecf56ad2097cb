"""URLs of the ledgers app (namespace "ledgers"); each area keeps its own list."""
app_name = "ledgers"

urlpatterns = []
