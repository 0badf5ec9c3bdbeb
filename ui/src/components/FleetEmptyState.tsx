import { useI18n } from "../i18n/I18nProvider";

/** Shown until the fleet view arrives with the demo data. */
export function FleetEmptyState() {
  const { t } = useI18n();
  return (
    <section className="empty-state" aria-labelledby="fleet-empty-title">
      <svg className="empty-state-art" viewBox="0 0 64 64" aria-hidden="true" focusable="false">
        <rect x="4" y="22" width="36" height="22" rx="3" />
        <path d="M40 28h10l8 9v7H40z" />
        <circle cx="16" cy="48" r="6" />
        <circle cx="48" cy="48" r="6" />
      </svg>
      <h2 id="fleet-empty-title">{t("fleet-empty-title")}</h2>
      <p>{t("fleet-empty-body")}</p>
    </section>
  );
}
