"""What the organisation's conversation settings are until a facilitator changes them: the
introduction read aloud, the appreciative questions, the time per step and a question bank,
written for this product in Danish and English."""

from __future__ import annotations

from app.errors import N_
from app.i18n import translate
from app.models import Step

# The steps' names (msgids), here below the areas so that the settings page names them too.
STEP_NAMES: dict[str, str] = {
    Step.start: N_("Start"),
    Step.status: N_("Status"),
    Step.arbejdsglaede: N_("Job satisfaction"),
    Step.feedback: N_("Feedback"),
    Step.aftaler: N_("Agreements"),
    Step.slut: N_("Wrap-up"),
}

# DESIGN §1: Start 5, Status 10, Arbejdsglæde 25, Feedback 10, Aftaler 15, Slut 5 minutes.
MINUTES: dict[str, int] = {
    Step.start: 5,
    Step.status: 10,
    Step.arbejdsglaede: 25,
    Step.feedback: 10,
    Step.aftaler: 15,
    Step.slut: 5,
}

# The introduction as it stood in the Start step's page; its catalogue entries give both
# languages.
INTRO_PARAGRAPHS = (
    N_(
        "Welcome. This conversation is about you and your work: how it is going, what gives"
        " you joy at work, and what we can do so that you thrive even more."
    ),
    N_("It is a conversation between equals. We both listen, and we both give feedback."),
    N_(
        "You choose picture cards and tell what they mean to you. There are no right or wrong"
        " cards: it is your story that counts. I write down the main points as we go."
    ),
    N_(
        "At the end we agree on a few concrete actions. You get a copy of what we wrote. Only"
        " the agreements go into your personnel file; the rest stays between the two of us."
    ),
)


def intro(lang: str) -> str:
    return "\n\n".join(translate(lang, paragraph) for paragraph in INTRO_PARAGRAPHS)


APPRECIATIVE: tuple[tuple[str, str], ...] = (
    (
        "Hvad er du mest stolt af siden vores sidste samtale?",
        "What are you most proud of since our last conversation?",
    ),
    (
        "Hvornår har du været allerbedst på arbejdet i år, og hvad gjorde det muligt?",
        "When were you at your very best at work this year, and what made it possible?",
    ),
    (
        "Hvad har vi lært, som vi vil tage med os videre?",
        "What have we learned that we want to take with us?",
    ),
    (
        "Hvad skal vi gøre mere af, fordi det virker?",
        "What should we do more of, because it works?",
    ),
)

# Appreciative inquiry: ask about what works and what could be, in the person's own words.
BANK: dict[str, tuple[tuple[str, str], ...]] = {
    Step.start: (
        (
            "Hvad vil du gerne have, at vi når at tale om i dag?",
            "What would you like us to talk about today?",
        ),
        (
            "Hvad skal der til, for at du går herfra og synes, det var tiden værd?",
            "What would make you leave here feeling this was time well spent?",
        ),
        (
            "Hvad har fyldt mest i dit arbejde siden sidst?",
            "What has taken up most of your work since last time?",
        ),
    ),
    Step.status: (
        (
            "Hvad er det ved netop dette billede, der siger noget om dit arbejde lige nu?",
            "What is it about this picture that says something about your work right now?",
        ),
        (
            "Hvad giver dig energi i hverdagen for tiden?",
            "What gives you energy in your working day at the moment?",
        ),
        (
            "Hvis billedet kunne tale, hvad ville det så fortælle mig?",
            "If the picture could speak, what would it tell me?",
        ),
    ),
    Step.arbejdsglaede: (
        (
            "Fortæl om en dag, hvor du gik glad hjem. Hvad skete der?",
            "Tell me about a day when you went home happy. What happened?",
        ),
        (
            "Hvilke opgaver får tiden til at flyve for dig?",
            "Which tasks make time fly for you?",
        ),
        (
            "Hvad skulle der til, for at du blev endnu gladere for dit arbejde?",
            "What would it take for you to enjoy your work even more?",
        ),
        (
            "Hvem i dine omgivelser bidrager mest til din arbejdsglæde, og hvordan?",
            "Who around you contributes most to your job satisfaction, and how?",
        ),
    ),
    Step.feedback: (
        (
            "Hvad har jeg som leder gjort, som har hjulpet dig?",
            "What have I done as your leader that has helped you?",
        ),
        (
            "Hvad vil du gerne have mere af fra mig?",
            "What would you like more of from me?",
        ),
        (
            "Hvad ser du, som ledelsen måske ikke ser?",
            "What do you see that management might not?",
        ),
    ),
    Step.aftaler: (
        (
            "Hvad er det første lille skridt, og hvornår tager du det?",
            "What is the first small step, and when will you take it?",
        ),
        (
            "Hvordan kan vi se, at aftalen er lykkedes?",
            "How will we know that the agreement has worked?",
        ),
        (
            "Hvad har du brug for fra mig for at lykkes med det?",
            "What do you need from me to succeed with it?",
        ),
    ),
    Step.slut: (
        (
            "Hvad tager du med dig fra samtalen i dag?",
            "What do you take with you from today's conversation?",
        ),
        (
            "Hvordan har det været at tale med billedkortene?",
            "How was it to talk with the picture cards?",
        ),
        (
            "Hvornår og hvordan følger vi op, før der går for lang tid?",
            "When and how will we follow up before too long has passed?",
        ),
    ),
}
