# Being written: grant, modification and country project screens.
from django.http import Http404
from django.views.generic import View


def _todo(*args, **kwargs):
    raise Http404


class GrantListView(View):
    get = _todo


GrantCreateView = GrantDetailView = GrantUpdateView = ProjectDetailView = GrantListView
grant_export = grant_transition = grant_history = modification_create = project_create = project_update = _todo
