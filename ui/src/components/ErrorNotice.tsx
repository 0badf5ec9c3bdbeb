import { useI18n } from "../i18n/I18nProvider";
import type { IpcError } from "../types";

/** A failed command: what it means and what to do (by code), then the shell's own message. */
export function ErrorNotice({ error, action, onRetry }: { error: IpcError; action?: string; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="error-notice" role="alert" data-testid="error-notice" data-code={error.code}>
      <p>
        <strong>{action ? t("error-during", { action }) : t("error-title")}</strong> {t(`error-${error.code}`)}
      </p>
      {error.message && <p className="error-detail">{error.message}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t("action-retry")}
        </button>
      )}
    </div>
  );
}
