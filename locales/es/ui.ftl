# Mensajes de la interfaz de escritorio (español). Cada id debe existir
# también en en/ui.ftl; ui/src/i18n/locales.test.ts lo comprueba.

app-name = Fuel Copilot
app-version = Versión { $version }
app-version-loading = Cargando la versión…
app-version-error = Versión no disponible

skip-to-content = Saltar al contenido principal
settings-region = Ajustes de visualización

language-label = Idioma
language-en = English
language-es = Español

theme-label = Tema
theme-system = Según el sistema
theme-light = Claro
theme-dark = Oscuro

fleet-empty-title = Aún no hay flota que mostrar
fleet-empty-body = La vista de la flota llegará con los datos de demostración.
