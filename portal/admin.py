from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

# The Django admin is the platform operators' back office; the portal pages are for tenants.
admin.site.site_header = _("OpsPortal administration")
admin.site.site_title = _("OpsPortal admin")
admin.site.index_title = _("Platform data")
admin.site.site_url = "/"

# Access is granted through OpsPortal roles (accounts.Role), never Django groups: hide them so
# nobody grants access in a place the portal does not read.
admin.site.unregister(Group)
