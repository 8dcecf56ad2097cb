"""Excel import of a bureau's own tables: tasks (任务分解表), indicators (测评体系), check templates
(检查表: 考评表, 点位测评督查标准), units, liaisons, 包抓分工 (单位 / 包抓领导 / 督导组), the 应知应会 question bank.

Steps (views in ledgers/views/imports.py, writes in ledgers/services/imports.py):
1. upload: the .xlsx is checked by content and stored as an `ImportUpload` of the user;
2. mapping: the first rows are shown as in Excel (merged cells included) with a field choice per
   column, prefilled from a mapping remembered for the same header, else from the header words
   (`sheet.detect_header`, `sheet.guess_columns`); header rows and the first data row can be moved;
3. preview: every data row by its Excel row number — will create / will update / unchanged /
   error with the reason; rows can be excluded; nothing is written;
4. confirm: the file is read again with the saved mapping and the rows written in one transaction.
"""
from .base import CREATE, ERROR, SAME, SKIP, STATUS_LABELS, UPDATE, Preview, RowResult  # noqa: F401
from .base import build_preview, check_file, initial_mapping, open_upload, remember_mapping  # noqa: F401
from .deadlines import Deadline, parse_deadline  # noqa: F401
from .checklists import ChecklistImporter
from .indicators import IndicatorImporter
from .oversight import OversightImporter
from .people import UnitImporter, UserImporter
from .questions import QuestionImporter
from .sheet import Sheet, read_sheet  # noqa: F401
from .tasks import TaskImporter
from .units import UnitIndex  # noqa: F401

IMPORTERS = {i.kind: i for i in (TaskImporter(), IndicatorImporter(), ChecklistImporter(), UnitImporter(),
                                  UserImporter(), OversightImporter(), QuestionImporter())}
