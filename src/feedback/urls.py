"""The feedback app's addresses (namespace "feedback"): the questionnaire an attendee answers
from the emailed link, and the organisers' pages of an edition's questionnaire."""

from django.urls import path

from common.urls import edition_organiser
from feedback.views import organiser, public

app_name = "feedback"

urlpatterns = [
    path("avis/<str:token>/", public.answer, name="answer"),
    path("avis/<str:token>/merci/", public.thanks, name="thanks"),
    edition_organiser(
        [
            path("avis/", organiser.questionnaire, name="questionnaire"),
            path("avis/questions/ajouter/", organiser.question_add, name="question_add"),
            path("avis/questions/<int:pk>/", organiser.question_edit, name="question_edit"),
            path(
                "avis/questions/<int:pk>/supprimer/",
                organiser.question_delete,
                name="question_delete",
            ),
            path(
                "avis/questions/<int:pk>/deplacer/",
                organiser.question_move,
                name="question_move",
            ),
            path("avis/envoyer/", organiser.send_now, name="send_now"),
            path("avis/resultats/", organiser.results, name="results"),
            path("avis/resultats.csv", organiser.results_csv, name="results_csv"),
        ]
    ),
]
