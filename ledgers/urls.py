"""URLs of the ledgers app (namespace "ledgers"); each area keeps its own list."""
app_name = "ledgers"

urlpatterns = []

# --- tasks, indicators and responsibility letters (任务分解表 · 测评指标 · 目标责任书) ---
from django.urls import path  # noqa: E402

from .views import indicators, letters, tasks  # noqa: E402

urlpatterns += [
    path("indicators/", indicators.indicator_list, name="indicator_list"),
    path("indicators/import/", indicators.indicator_import, name="indicator_import"),
    path("indicators/import/confirm/", indicators.indicator_import_confirm, name="indicator_import_confirm"),
    path("indicators/import/template.xlsx", indicators.indicator_template, name="indicator_template"),
    path("tasks/", tasks.task_matrix, name="task_matrix"),
    path("tasks/mine/", tasks.my_tasks, name="my_tasks"),
    path("tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/import/", tasks.task_import, name="task_import"),
    path("tasks/import/confirm/", tasks.task_import_confirm, name="task_import_confirm"),
    path("tasks/import/template.xlsx", tasks.task_template, name="task_template"),
    path("assignments/<int:pk>/", tasks.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/progress/", tasks.assignment_progress, name="assignment_progress"),
    path("assignments/<int:pk>/complete/", tasks.assignment_complete, name="assignment_complete"),
    path("assignments/<int:pk>/return/", tasks.assignment_return, name="assignment_return"),
    path("attachments/<int:pk>/", tasks.progress_attachment, name="progress_attachment"),
    path("letters/", letters.letter_list, name="letter_list"),
    path("letters/targets/", letters.letter_targets, name="letter_targets"),
    path("letters/generate/", letters.letter_generate, name="letter_generate"),
    path("letters/issue-all/", letters.letter_issue_all, name="letter_issue_all"),
    path("letters/all.pdf", letters.letter_year_pdf, name="letter_year_pdf"),
    path("letters/<int:pk>/", letters.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/letter.pdf", letters.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/upload/", letters.letter_upload, name="letter_upload"),
    path("letters/<int:pk>/signatories/", letters.letter_signatories, name="letter_signatories"),
    path("letters/<int:pk>/issue/", letters.letter_move, {"to": "issued"}, name="letter_issue"),
    path("letters/<int:pk>/archive/", letters.letter_move, {"to": "archived"}, name="letter_archive"),
    path("letter-scans/<int:pk>/", letters.letter_scan, name="letter_scan"),
]
