"""Every change goes through these functions, whether it comes from a view, the admin, an
import, a management command or a task. They validate fully, write atomically and record
what changed in a plan's history themselves. One module per topic; import from the module
(``plans.services.organisation``), so each function has one import path."""
