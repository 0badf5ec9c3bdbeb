import { useSyncExternalStore } from "react";
import { PAGES, useApp, type PageId } from "../app/context";
import { useI18n } from "../i18n/I18nProvider";

export function Nav({ current }: { current: PageId }) {
  const { t } = useI18n();
  const { navigate, alerts } = useApp();
  useSyncExternalStore(alerts.subscribe, alerts.getAlerts);
  const open = alerts.openCount();
  return (
    <nav className="app-nav" aria-label={t("nav-label")}>
      <ul>
        {PAGES.map((page, i) => (
          <li key={page}>
            <button
              type="button"
              data-testid={`nav-${page}`}
              aria-current={current === page ? "page" : undefined}
              aria-keyshortcuts={`Alt+${i + 1}`}
              title={t("nav-shortcut", { key: i + 1 })}
              onClick={() => navigate({ page })}
            >
              {t(`nav-${page}`)}
              {page === "alerts" && open > 0 && (
                <span className="badge" aria-label={t("nav-open-alerts", { count: open })}>
                  {open}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
