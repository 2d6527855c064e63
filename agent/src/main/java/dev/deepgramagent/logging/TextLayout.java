package dev.deepgramagent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.event.KeyValuePair;

/** {@code 2026-01-01T00:00:00.000Z deepgram-agent WARN  message key=value ...}. */
final class TextLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(160);
        Timestamps.appendIso(sb, event.getTimeStamp());
        sb.append(" deepgram-agent ");
        String level = event.getLevel().toString();
        sb.append(level);
        for (int i = level.length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                sb.append(' ').append(kv.key).append('=').append(quoteIfNeeded(String.valueOf(kv.value)));
            }
        }
        sb.append(CoreConstants.LINE_SEPARATOR);
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            sb.append(ThrowableProxyUtil.asString(t)).append(CoreConstants.LINE_SEPARATOR);
        }
        return sb.toString();
    }

    private static String quoteIfNeeded(String v) {
        if (!v.isEmpty() && v.indexOf(' ') < 0 && v.indexOf('"') < 0 && v.indexOf('=') < 0) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
