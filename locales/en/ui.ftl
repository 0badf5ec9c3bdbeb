# Desktop UI messages (English). Every id here must also exist in es/ui.ftl;
# ui/src/i18n/locales.test.ts checks that.

app-name = Fuel Copilot
app-version = Version { $version }
app-version-loading = Loading version…
app-version-error = Version unavailable

skip-to-content = Skip to main content
settings-region = Display settings

language-label = Language
language-en = English
language-es = Español

theme-label = Theme
theme-system = Match system
theme-light = Light
theme-dark = Dark

fleet-empty-title = No fleet to show yet
fleet-empty-body = The fleet view is coming with the demo data.
