"""Who may use 系统配置, with the reasons the pages show.

- The system admin keeps the installation's defaults (categories, deadlines) and sees every street's checklist,
  but no resident data (三员分立): the config pages show reference data and staff accounts only.
- A district (or city) manager sets the district's defaults and may configure any of its streets.
- A street manager configures their own street: its handling bodies and members, routing rules inside the street
  (only to bodies that cover it — what the district allows), its 议事规则 and the configuration file.
The writes themselves are checked again by the owning app's services (cases.config_*, consultation.street_rules).
"""

from django.utils.translation import gettext_lazy as _

from shanzhi.core.permissions import rule
from shanzhi.core.roles import Role

CONFIG_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.CITY_MANAGER, Role.DISTRICT_MANAGER, Role.STREET_MANAGER})
VIEW = rule("configuration.view", roles=CONFIG_ROLES, reason=_("只有系统管理员、区级或街道管理员可以查看该街道的配置"))
APPLY_FILE = rule("configuration.apply_file", roles={Role.DISTRICT_MANAGER, Role.STREET_MANAGER, Role.CITY_MANAGER},
                  reason=_("只有区级或街道管理员可以把配置文件应用到本街道"))
