"""The reports' pages: the month summary and dashboards (monthly), documents to download
(documents), background jobs and 我的下载 (jobs), the year-end assessment (assessment)."""
