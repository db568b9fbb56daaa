# Being written: milestone screens and evidence.
from django.http import Http404
from django.views.generic import View


def _todo(*args, **kwargs):
    raise Http404


class MilestoneListView(View):
    get = _todo


milestone_export = milestone_create = milestone_detail = milestone_update = milestone_transition = _todo
evidence_upload = evidence_download = _todo
