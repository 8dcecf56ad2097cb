"""URLs of the ledgers app (namespace "ledgers"), one block per area."""
from django.urls import path

from .views import accountability as accountability_views
from .views import activities as activity_views
from .views import assessment as assessment_views
from .views import bulletins as bulletin_views
from .views import checks as check_views
from .views import core as core_views
from .views import districts as district_views
from .views import imports as import_views
from .views import indicators as indicator_views
from .views import letters as letter_views
from .views import notifications as notification_views
from .views import oversight as oversight_views
from .views import people as people_views
from .views import problems as problem_views
from .views import robots as robot_views
from .views import surveys as survey_views
from .views import tasks as task_views

app_name = "ledgers"

# Printed and exported documents (binder PDF/ZIP, letter PDFs, bulletin PDF and publishing, the
# problem Excel) are rendered by reports/ and routed in reports/urls.py at the same paths.

urlpatterns = [
    path("help/", core_views.user_guide, name="user_guide"),  # 帮助: docs/使用说明.md
]

# --- tasks, indicators and responsibility letters (任务分解表 · 测评指标 · 目标责任书) ---
urlpatterns += [
    path("indicators/", indicator_views.indicator_list, name="indicator_list"),
    path("tasks/", task_views.task_matrix, name="task_matrix"),
    path("tasks/mine/", task_views.my_tasks, name="my_tasks"),
    path("tasks/new/", task_views.task_create, name="task_create"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", task_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/dispatch/", task_views.task_dispatch, name="task_dispatch"),
    path("tasks/<int:pk>/withdraw/", task_views.task_withdraw, name="task_withdraw"),
    path("assignments/<int:pk>/", task_views.assignment_detail, name="assignment_detail"),
    path("assignments/<int:pk>/progress/", task_views.assignment_progress, name="assignment_progress"),
    path("assignments/<int:pk>/complete/", task_views.assignment_complete, name="assignment_complete"),
    path("assignments/<int:pk>/return/", task_views.assignment_return, name="assignment_return"),
    path("attachments/<int:pk>/", task_views.progress_attachment, name="progress_attachment"),
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/targets/", letter_views.letter_targets, name="letter_targets"),
    path("letters/generate/", letter_views.letter_generate, name="letter_generate"),
    path("letters/issue-all/", letter_views.letter_issue_all, name="letter_issue_all"),
    path("letters/<int:pk>/", letter_views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/upload/", letter_views.letter_upload, name="letter_upload"),
    path("letters/<int:pk>/signatories/", letter_views.letter_signatories, name="letter_signatories"),
    path("letters/<int:pk>/issue/", letter_views.letter_move, {"to": "issued"}, name="letter_issue"),
    path("letters/<int:pk>/archive/", letter_views.letter_move, {"to": "archived"}, name="letter_archive"),
    path("letters/<int:pk>/confirm/", letter_views.letter_move, {"to": "signed"}, name="letter_confirm"),
    path("letters/<int:pk>/return/", letter_views.letter_return, name="letter_return"),
    path("letter-scans/<int:pk>/", letter_views.letter_scan, name="letter_scan"),
]

# --- Excel imports (upload → column mapping → preview → confirm) ---
urlpatterns += [
    path("imports/", import_views.import_index, name="import_index"),
    path("tasks/import/", import_views.task_import, name="task_import"),
    path("indicators/import/", import_views.indicator_import, name="indicator_import"),
    path("units/import/", import_views.unit_import, name="unit_import"),
    path("users/import/", import_views.user_import, name="user_import"),
    path("questions/import/", import_views.question_import, name="question_import"),
    path("check-templates/import/", import_views.checklist_import, name="checklist_import"),
    path("imports/<int:pk>/", import_views.import_map, name="import_map"),
    path("imports/<int:pk>/preview/", import_views.import_preview, name="import_preview"),
    path("imports/<int:pk>/run/", import_views.import_run, name="import_run"),
    path("imports/<int:pk>/done/", import_views.import_done, name="import_done"),
]

# --- activity archives (活动档案) ---
urlpatterns += [
    path("activities/", activity_views.activity_list, name="activity_list"),
    path("activities/stats/", activity_views.activity_stats, name="activity_stats"),
    path("activities/new/", activity_views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/submit/", activity_views.activity_submit, name="activity_submit"),
    path("activities/<int:pk>/review/", activity_views.activity_review, name="activity_review"),
    path("activities/<int:pk>/uploaded/", activity_views.activity_mark_uploaded, name="activity_mark_uploaded"),
    path("activities/<int:pk>/delete/", activity_views.activity_delete, name="activity_delete"),
    path("activities/photos/<int:pk>/<str:size>/", activity_views.activity_photo, name="activity_photo"),
    path("activities/photos/upload/", activity_views.activity_photo_upload, name="activity_photo_upload"),
]

# --- checks, problems, bulletins (每周督查 · 整改台账 · 督查通报) ---
urlpatterns += [
    path("checks/", check_views.check_list, name="check_list"),
    path("checks/new/", check_views.check_create, name="check_create"),
    path("checks/<int:pk>/", check_views.check_detail, name="check_detail"),
    path("checks/<int:pk>/edit/", check_views.check_edit, name="check_edit"),
    path("checks/<int:pk>/submit/", check_views.check_submit, name="check_submit"),
    path("checks/<int:pk>/correct/", check_views.check_correct, name="check_correct"),
    path("checks/photos/<int:pk>/<str:size>/", check_views.check_photo, name="check_photo"),
    path("check-templates/", check_views.template_list, name="template_list"),
    path("check-templates/new/", check_views.template_edit, name="template_create"),
    path("check-templates/<int:pk>/", check_views.template_edit, name="template_edit"),
    path("problems/", problem_views.problem_list, name="problem_list"),
    path("problems/new/", problem_views.problem_create, name="problem_create"),
    path("problems/<int:pk>/", problem_views.problem_detail, name="problem_detail"),
    path("problems/photos/<int:pk>/<str:size>/", problem_views.problem_photo, name="problem_photo"),
    path("bulletins/", bulletin_views.bulletin_list, name="bulletin_list"),
    path("bulletins/new/", bulletin_views.bulletin_create, name="bulletin_create"),
    path("bulletins/<int:pk>/", bulletin_views.bulletin_detail, name="bulletin_detail"),
]

# --- the assessment scheme (考核方案 · 加分扣分 · 人工评分); the year is ?year=2026 (default: current) ---
urlpatterns += [
    path("assessment/scheme/", assessment_views.scheme, name="assessment_scheme"),
    path("assessment/scheme/create/", assessment_views.scheme_create, name="assessment_scheme_create"),
    path("assessment/scheme/thresholds/", assessment_views.scheme_thresholds, name="assessment_thresholds"),
    path("assessment/rules/<int:pk>/", assessment_views.rule_save, name="assessment_rule_save"),
    path("assessment/adjustments/", assessment_views.adjustments, name="assessment_adjustments"),
    path("assessment/adjustments/<int:pk>/delete/", assessment_views.adjustment_delete,
         name="assessment_adjustment_delete"),
    path("assessment/adjustments/<int:pk>/file/", assessment_views.adjustment_file, name="assessment_adjustment_file"),
    path("assessment/manual/<int:pk>/file/", assessment_views.manual_file, name="assessment_manual_file"),
]

# --- 问卷调查: the 应知应会 bank, rounds and their results (the public answer pages: answer_urls.py) ---
urlpatterns += [
    path("questions/", survey_views.question_list, name="question_list"),
    path("questions/new/", survey_views.question_create, name="question_create"),
    path("questions/<int:pk>/", survey_views.question_edit, name="question_edit"),
    path("surveys/", survey_views.survey_list, name="survey_list"),
    path("surveys/new/", survey_views.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/edit/", survey_views.survey_edit, name="survey_edit"),
    path("surveys/<int:pk>/close/", survey_views.survey_close, name="survey_close"),
]

# --- the city's admin creates a district with its first admin (新建区县) ---
urlpatterns += [
    path("districts/new/", district_views.district_create, name="district_create"),
]

# --- notifications (消息提醒): the user's own messages and email setting ----------------------------
urlpatterns += [
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
    path("notifications/read-all/", notification_views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", notification_views.notification_settings, name="notification_settings"),
]

# --- 领导包抓 · 督导组包督查 (the leader's 我包抓的单位 is reports': reports/urls.py) ----------------------
urlpatterns += [
    path("oversight/", oversight_views.oversight_list, name="oversight_list"),
    path("oversight/import/", oversight_views.oversight_import, name="oversight_import"),
    path("groups/", oversight_views.group_list, name="group_list"),
    path("groups/new/", oversight_views.group_create, name="group_create"),
    path("groups/<int:pk>/", oversight_views.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", oversight_views.group_edit, name="group_edit"),
    path("groups/<int:pk>/delete/", oversight_views.group_delete, name="group_delete"),
]

# --- 问责台账 (the printed ledger is reports': reports:accountability_pdf) -------------------------------
urlpatterns += [
    path("accountability/", accountability_views.case_list, name="case_list"),
    path("accountability/rules/", accountability_views.accountability_rules, name="accountability_rules"),
    path("accountability/scan/", accountability_views.accountability_scan, name="accountability_scan"),
    path("accountability/<int:pk>/", accountability_views.case_detail, name="case_detail"),
    path("accountability/<int:pk>/close/", accountability_views.case_close, name="case_close"),
    path("accountability/files/<int:pk>/", accountability_views.case_file, name="case_file"),
]

# --- the bureau's units and people, districts, settings (单位管理 · 用户管理 · 区县管理 · 本局设置) ---------
urlpatterns += [
    path("units/", people_views.unit_list, name="unit_list"),
    path("units/new/", people_views.unit_create_view, name="unit_create"),
    path("units/<int:pk>/", people_views.unit_detail, name="unit_detail"),
    path("users/", people_views.user_list, name="user_list"),
    path("users/new/", people_views.user_create, name="user_create"),
    path("users/credentials/", people_views.account_credentials, name="account_credentials"),
    path("users/<int:pk>/", people_views.user_detail, name="user_detail"),
    path("users/<int:pk>/reset-password/", people_views.user_password_reset, name="user_password_reset"),
    path("users/<int:pk>/unlock/", people_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/active/", people_views.user_set_active, name="user_set_active"),
    path("districts/", people_views.district_list, name="district_list"),
    path("districts/<int:pk>/", people_views.district_detail, name="district_detail"),
    path("districts/<int:pk>/admins/new/", people_views.district_admin_add, name="district_admin_add"),
    path("settings/", people_views.bureau_settings, name="bureau_settings"),
    path("settings/years/", people_views.year_save, name="year_save"),
]

# --- group robots and the 发送记录 (测试发送 is reports': reports:robot_test) ------------------------------
urlpatterns += [
    path("robots/", robot_views.robot_list, name="robot_list"),
    path("robots/new/", robot_views.robot_create, name="robot_create"),
    path("robots/<int:pk>/", robot_views.robot_edit, name="robot_edit"),
    path("robots/<int:pk>/delete/", robot_views.robot_delete, name="robot_delete"),
    path("deliveries/", robot_views.delivery_list, name="delivery_list"),
    path("deliveries/resend-failed/", robot_views.delivery_resend_failed, name="delivery_resend_failed"),
    path("deliveries/<int:pk>/resend/", robot_views.delivery_resend, name="delivery_resend"),
]
