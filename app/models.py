"""Every domain's ORM classes, gathered so Alembic and the tests see one complete metadata.

Only this module, main.py and cli.py import across all domains.
"""

from app.accounts import models as accounts_models
from app.audit import models as audit_models
from app.comments import models as comments_models
from app.consultations import models as consultations_models
from app.db import Base
from app.dossiers import models as dossiers_models
from app.evaluations import models as evaluations_models
from app.impact import models as impact_models
from app.jobs import models as jobs_models
from app.moderation import models as moderation_models
from app.organisations import models as organisations_models
from app.submissions import models as submissions_models

metadata = Base.metadata

__all__ = [
    "accounts_models",
    "audit_models",
    "comments_models",
    "consultations_models",
    "dossiers_models",
    "evaluations_models",
    "impact_models",
    "jobs_models",
    "metadata",
    "moderation_models",
    "organisations_models",
    "submissions_models",
]
