"""Deployment checks: production must not run on keys derived from SECRET_KEY, nor keep
the access log's checkpoints in the development default place."""

from __future__ import annotations

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def bti_keys_set(app_configs, **kwargs):
    errors = []
    if not settings.BTI_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "BTI_ENCRYPTION_KEYS er ikke satt: BTI-data krypteres med en nøkkel avledet "
                "av SECRET_KEY.",
                hint="Lag en nøkkel med `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'` og sett BTI_ENCRYPTION_KEYS.",
                id="btitracker.E001",
            )
        )
    else:
        for key in settings.BTI_ENCRYPTION_KEYS:
            try:
                Fernet(key.encode())
            except ValueError:
                errors.append(
                    Error(
                        "En nøkkel i BTI_ENCRYPTION_KEYS er ikke en gyldig Fernet-nøkkel.",
                        id="btitracker.E002",
                    )
                )
    if len(settings.BTI_HASH_KEY or "") < 32:
        errors.append(
            Error(
                "BTI_HASH_KEY er ikke satt (eller kortere enn 32 tegn).",
                hint="Sett BTI_HASH_KEY til minst 32 tilfeldige tegn. Den må aldri endres, "
                "ellers finnes ikke barn igjen.",
                id="btitracker.E003",
            )
        )
    audit_key = settings.BTI_AUDIT_KEY or ""
    if len(audit_key) < 32 or audit_key in (settings.BTI_HASH_KEY, *settings.BTI_ENCRYPTION_KEYS):
        errors.append(
            Error(
                "BTI_AUDIT_KEY er ikke satt, er kortere enn 32 tegn eller er lik en av "
                "datanøklene: tilgangsloggens kjede er ikke nøklet med en egen nøkkel.",
                hint="Sett BTI_AUDIT_KEY til minst 32 tilfeldige tegn, ulik BTI_HASH_KEY og "
                "BTI_ENCRYPTION_KEYS. Se docs/bti.md om å bytte nøkkel.",
                id="btitracker.E004",
            )
        )
    if not settings.BTI_AUDIT_CHECKPOINT_FILE:
        errors.append(
            Error(
                "BTI_AUDIT_CHECKPOINT_FILE er ikke satt: kontrollpunktene for tilgangsloggen "
                "havner i var/ ved siden av databasen.",
                hint="Pek den på en fil databasebrukeren ikke kan skrive om (egen volum eller "
                "vert, `chattr +a`). Se docs/bti.md.",
                id="btitracker.E005",
            )
        )
    return errors
