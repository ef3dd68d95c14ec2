"""The attendee's questionnaire, reached by the emailed link: no account, one answer."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common.decorators import secret_address
from feedback import links, questionnaires
from feedback.forms import AnswerForm


@secret_address(referrer="same-origin")
@require_http_methods(["GET", "POST"])
def answer(request, token):
    link = questionnaires.find_link(links.key_of(token))
    if link is None:
        return render(request, "feedback/link_invalid.html", status=404)
    edition = link.questionnaire.edition
    context = {"edition": edition, "questionnaire": link.questionnaire}
    refusal = questionnaires.refusal(link)
    if refusal is not None:
        # A second answer is refused, whether it was posted or the page opened again.
        status = 409 if request.method == "POST" else 200
        return render(
            request, "feedback/refused.html", context | {"refusal": refusal}, status=status
        )
    questions = questionnaires.questions_for(link)
    form = AnswerForm(questions, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            questionnaires.answer(link, form.values())
        except questionnaires.Refused as refused:
            return render(
                request, "feedback/refused.html", context | {"refusal": refused}, status=409
            )
        return redirect("feedback:thanks", token=token)
    status = 422 if form.is_bound else 200
    return render(request, "feedback/answer.html", context | {"form": form}, status=status)


@secret_address
def thanks(request, token):
    link = questionnaires.find_link(links.key_of(token))
    if link is None:
        return render(request, "feedback/link_invalid.html", status=404)
    return render(request, "feedback/thanks.html", {"edition": link.questionnaire.edition})
