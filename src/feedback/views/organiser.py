"""The organisers' pages of an edition's questionnaire after the day.

Writing it (its settings and questions) needs ``edit_content`` on the edition, as the
programme's; opening or closing it, and sending it now, ``manage``: opening it emails every
person admitted. The answers' figures need ``view_figures``; their free texts and the CSV
export, which may hold what people wrote about themselves, ``view_personal_data`` (the export
is written in the audit log). No page shows a response's date or key.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import audit, permissions
from accounts.enums import AuditAction
from common import spreadsheets
from common.decorators import organiser_page
from common.numbers import percent
from common.permissions import Action
from events import edit_pages
from events.edit_pages import edit_context
from feedback import questionnaires
from feedback import results as feedback_results
from feedback.models import Question, Questionnaire
from feedback.organiser_forms import QuestionForm, QuestionnaireForm, QuestionnaireStatusForm

# The questionnaire and its questions ----------------------------------------------------------


@organiser_page
@require_http_methods(["GET", "POST"])
def questionnaire(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    the_questionnaire = questionnaires.of_edition(edition)
    manages = permissions.can(request.user, Action.MANAGE, edition)
    form_class = QuestionnaireStatusForm if manages else QuestionnaireForm
    # The form works on its own copy: the page's state stays the saved one.
    instance = Questionnaire.objects.get(pk=the_questionnaire.pk)
    form = form_class(request.POST if request.method == "POST" else None, instance=instance)
    if form.is_valid():
        form.save()
        messages.success(request, _("The questionnaire's settings are saved."))
        return redirect("feedback:questionnaire", slug=edition.slug)
    responses = the_questionnaire.responses.count()
    return render(
        request,
        "feedback/organiser/questionnaire.html",
        edit_context(
            request.user,
            edition,
            form=form,
            questionnaire=the_questionnaire,
            questions=list(the_questionnaire.questions.select_related("session")),
            recipients=questionnaires.recipients(edition).count(),
            responses=responses,
            rate=percent(responses, the_questionnaire.sent_count),
            reminder_due_at=questionnaires.reminder_due_at(the_questionnaire),
            manages=manages,
            may_send=manages and questionnaires.can_send(the_questionnaire),
            current="feedback",
        ),
    )


@organiser_page
@require_POST
def send_now(request, slug):
    """Send the questionnaire to the people admitted who have no link yet, without waiting
    for the quarter-hourly job."""
    edition = permissions.require_edition(request.user, slug, Action.MANAGE)
    the_questionnaire = questionnaires.of_edition(edition)
    if not questionnaires.can_send(the_questionnaire):
        messages.error(
            request,
            _(
                "The questionnaire cannot be sent now: it is sent once open and the day over, "
                "while the day's personal data is kept."
            ),
        )
    else:
        count = questionnaires.send(the_questionnaire)
        if count:
            messages.success(
                request,
                ngettext(
                    "The questionnaire is sent to %(count)d person.",
                    "The questionnaire is sent to %(count)d people.",
                    count,
                )
                % {"count": count},
            )
        else:
            messages.success(request, _("Everyone admitted already had their link: nobody new."))
    return redirect("feedback:questionnaire", slug=edition.slug)


@organiser_page
@require_POST
def question_move(request, slug, pk):
    """Move a question one place up or down (``direction``)."""
    edition = permissions.require_edition(request.user, slug, Action.EDIT_CONTENT)
    question = get_object_or_404(Question, questionnaire__edition=edition, pk=pk)
    offset = {"up": -1, "down": 1}.get(request.POST.get("direction"))
    if offset is None:
        return HttpResponseBadRequest()
    questionnaires.move(question, offset)
    return redirect("feedback:questionnaire", slug=edition.slug)


class _QuestionPage:
    model = Question
    list_url = "feedback:questionnaire"
    current = "feedback"

    def get_queryset(self):
        # A question belongs to the edition through its questionnaire.
        return Question.objects.filter(questionnaire__edition=self.edition).select_related(
            "questionnaire__edition"
        )


class QuestionAdd(_QuestionPage, edit_pages.AddView):
    form_class = QuestionForm
    title, submit = gettext_lazy("Add a question"), gettext_lazy("Add this question")
    saved = gettext_lazy("The question is added, at the end of the questionnaire.")

    def new_object(self):
        # A question belongs to the edition through its questionnaire.
        return Question(questionnaire=questionnaires.of_edition(self.edition))

    def save(self, form):
        form.instance.position = questionnaires.next_position(form.instance.questionnaire)
        return super().save(form)


class QuestionChange(_QuestionPage, edit_pages.ChangeView):
    form_class = QuestionForm
    title, submit = gettext_lazy("Change a question"), gettext_lazy("Save the question")
    saved = gettext_lazy("The question is saved.")
    delete_url = "feedback:question_delete"


class QuestionDelete(_QuestionPage, edit_pages.DeleteView):
    deleted = gettext_lazy("The question is deleted, with its answers.")

    def title(self, question):
        return _("Delete the question “%(text)s”?") % {"text": question.text}

    @property
    def explanation(self):
        count = self.object.answers.count()
        if not count:
            return _("Nobody answered it yet.")
        return ngettext(
            "Its %(count)d answer will be deleted with it.",
            "Its %(count)d answers will be deleted with it.",
            count,
        ) % {"count": count}


question_add = organiser_page(QuestionAdd.as_view())
question_edit = organiser_page(QuestionChange.as_view())
question_delete = organiser_page(QuestionDelete.as_view())


# The answers -------------------------------------------------------------------------------


@organiser_page
@require_safe
def results(request, slug):
    edition = permissions.require_edition(request.user, slug, Action.VIEW_FIGURES)
    # Read, never made here: a viewer's visit writes nothing.
    the_questionnaire = Questionnaire.objects.filter(edition=edition).first()
    return render(
        request,
        "feedback/organiser/results.html",
        edit_context(
            request.user,
            edition,
            results=None if the_questionnaire is None else feedback_results.of(the_questionnaire),
            sees_texts=permissions.can(request.user, Action.VIEW_PERSONAL_DATA, edition),
            current="feedback_results",
        ),
    )


@organiser_page
@require_safe
def results_csv(request, slug):
    """Every response as a row, in the order of their random keys (free texts included:
    recorded in the audit log as an export of personal data)."""
    edition = permissions.require_edition(request.user, slug, Action.VIEW_PERSONAL_DATA)
    the_questionnaire = get_object_or_404(Questionnaire, edition=edition)
    filename = feedback_results.export_filename(edition)
    with transaction.atomic():
        header, rows = feedback_results.export_rows(the_questionnaire)
        response = spreadsheets.csv_response(filename, header, rows)
        audit.record(
            request.user,
            AuditAction.EXPORT,
            filename,
            edition=edition,
            people=len(rows),
            detail={"format": "csv"},
        )
    return response
