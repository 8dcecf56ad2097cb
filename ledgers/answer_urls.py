"""The public answer pages of 问卷调查 (namespace "answer"), mounted at /s/: short links for QR codes.

No account is needed here; nothing here shows a unit's results (ledgers/views/survey_answer.py).
"""
from django.urls import path

from .views import survey_answer

app_name = "answer"

urlpatterns = [
    path("<slug:token>/", survey_answer.start, name="start"),
    path("<slug:token>/result/", survey_answer.result, name="result"),
]
