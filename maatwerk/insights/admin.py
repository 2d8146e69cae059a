from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from maatwerk.accounts.admin_base import operator_only

# The background tasks' results (the insights refresh and its errors) belong to no municipality: the
# operator's, like the login records.
operator_only(admin.site, DBTaskResult)
