"""What every page's template gets from the request (settings.TEMPLATES)."""

from __future__ import annotations


def resume_code(request) -> dict:
    """The participant's resume code as their pages show it ("ABCD-EFGH"), for one who
    came with a Prolific ID (continuing in another browser needs it: views.entry);
    "" on every other page."""
    participant = getattr(request, "participant", None)
    if participant is None or not participant.external_pid:
        return {"resume_code": ""}
    code = participant.resume_code
    return {"resume_code": f"{code[:4]}-{code[4:]}"}
