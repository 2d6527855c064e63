package dev.deepgramagent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import org.slf4j.event.KeyValuePair;

/** One JSON object per line; key/value pairs of the event become top-level fields. */
final class JsonLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"ts\":\"");
        Timestamps.appendIso(sb, event.getTimeStamp());
        sb.append('"');
        sb.append(",\"level\":\"").append(event.getLevel()).append('"');
        field(sb, "logger", event.getLoggerName());
        field(sb, "message", event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair kv : event.getKeyValuePairs()) {
                if (kv.value instanceof Number || kv.value instanceof Boolean) {
                    sb.append(",\"");
                    Json.escape(sb, kv.key);
                    sb.append("\":").append(kv.value);
                } else {
                    field(sb, kv.key, String.valueOf(kv.value));
                }
            }
        }
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            field(sb, "exception", ThrowableProxyUtil.asString(t));
        }
        return sb.append('}').append(CoreConstants.LINE_SEPARATOR).toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"");
        Json.escape(sb, name);
        sb.append("\":\"");
        Json.escape(sb, value);
        sb.append('"');
    }
}
