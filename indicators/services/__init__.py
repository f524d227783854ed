"""Everything that changes indicator data. Views, the admin, management commands and
Celery tasks call these functions; none of them writes rows itself."""
