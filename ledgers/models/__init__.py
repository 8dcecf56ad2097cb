"""Models of the ledgers app, one module per area of the product.

core        bureaus (city → districts), units, campaign years, users and roles, the visible_to() rule
files       abstract bases for stored files and photos
indicators  the evaluation system (测评指标), a coded tree per year
checks      check templates and weekly checks (每周督查)
problems    the problem rectification ledger (问题整改台账)
bulletins   the weekly bulletin (每周督查通报)
tasks       the task breakdown table (任务分解表), assignments per unit, progress
letters     target responsibility letters (目标责任书), their items and signed scans
imports     Excel imports: uploads kept between steps, remembered column mappings, unit aliases

oversight   领导包抓 and 督导组包督查: each unit's leader and inspection group per campaign year
accountability  问责: the bureau's rules, the 问责提示 they raise, what was done and the closing
notifications  in-app messages, email/robot deliveries, webhooks, email opt-out (消息提醒)
surveys     问卷调查: the question bank (应知应会题库), rounds, each unit's link, responses
assessment  the year-end assessment scheme (年度考核): scoring rules, manual scores, 加分/扣分
"""
from .core import (  # noqa: F401
    Bureau, BureauKind, BureauOwned, BureauSettings, CampaignYear, Role, Unit, UnitKind, UnitOwnedQuerySet, User,
)
from .files import StoredFile, StoredPhoto  # noqa: F401
from .indicators import Indicator, Method, code_sort_key  # noqa: F401
from .activities import (  # noqa: F401,E402
    Activity, ActivityCategory, ActivityPhoto, ActivityStatus,
)
from .checks import (  # noqa: F401
    Check, CheckBasis, CheckCorrection, CheckItem, CheckKind, CheckPhoto, CheckScore, CheckStatus, CheckTemplate,
    ItemKind,
)
from .problems import (  # noqa: F401
    PhotoStage, Problem, ProblemAction, ProblemEvent, ProblemPhoto, ProblemStatus,
)
from .bulletins import Bulletin, BulletinStatus  # noqa: F401
from .tasks import (  # noqa: F401
    AssignmentEvent, AssignmentStatus, Frequency, ProgressAttachment, ProgressEntry, Task, TaskAssignment,
    TaskDeadline,
)
from .letters import (  # noqa: F401
    LetterItem, LetterStatus, LetterTarget, ResponsibilityLetter, SignedScan,
)
from .imports import ImportKind, ImportMapping, ImportUpload, UnitAlias  # noqa: F401

from .assessment import (  # noqa: F401
    Adjustment, AdjustmentKind, AssessmentScheme, IndicatorRule, ManualScore, Period, RuleKind,
)
from .notifications import (  # noqa: F401,E402
    Channel, Delivery, DeliveryStatus, Flavour, Notification, NotificationKind, NotificationSettings, Webhook,
)
from .oversight import InspectionGroup, Oversight, Rhythm  # noqa: F401,E402
from .accountability import (  # noqa: F401,E402
    AccountabilityAction, AccountabilityAttachment, AccountabilityCase, AccountabilityRule, ActionKind, CaseStatus,
    TriggerKind,
)
from .surveys import (  # noqa: F401,E402
    Audience, Question, QuestionKind, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse, SurveyThrottle, SurveyUnit,
)
