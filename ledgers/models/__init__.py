"""Models of the ledgers app, one module per area of the product.

core        units, campaign years, users and roles, the visible_to() rule
files       abstract bases for stored files and photos
indicators  the evaluation system (测评指标), a coded tree per year
tasks       the task breakdown table (任务分解表), assignments per unit, progress
letters     target responsibility letters (目标责任书), their items and signed scans
"""
from .core import CampaignYear, Role, Unit, UnitKind, UnitOwnedQuerySet, User  # noqa: F401
from .files import StoredFile, StoredPhoto  # noqa: F401
from .indicators import Indicator, Method, code_sort_key  # noqa: F401
from .tasks import (  # noqa: F401
    AssignmentEvent, AssignmentStatus, Frequency, ProgressAttachment, ProgressEntry, Task, TaskAssignment,
)
from .letters import (  # noqa: F401
    LetterItem, LetterStatus, LetterTarget, ResponsibilityLetter, SignedScan,
)
