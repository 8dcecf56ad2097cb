"""Models of the ledgers app, one module per area of the product.

core        units, campaign years, users and roles, the visible_to() rule
files       abstract bases for stored files and photos
indicators  the evaluation system (测评指标), a coded tree per year
"""
from .core import CampaignYear, Role, Unit, UnitKind, UnitOwnedQuerySet, User  # noqa: F401
from .files import StoredFile, StoredPhoto  # noqa: F401
from .indicators import Indicator, Method, code_sort_key  # noqa: F401
from .activities import (  # noqa: F401,E402
    Activity, ActivityCategory, ActivityPhoto, ActivityStatus,
)
