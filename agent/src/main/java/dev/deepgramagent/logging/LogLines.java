package dev.deepgramagent.logging;

import org.slf4j.event.KeyValuePair;

import java.util.List;

/**
 * The agent's two log line formats, apart from logback's types: the layouts use them for every
 * event, and {@link AgentLogging#startLine} for the start line, written before logback's context
 * exists.
 */
final class LogLines {

    private static final String LINE_SEPARATOR = System.lineSeparator();

    private LogLines() {
    }

    /** {@code 2026-01-01T00:00:00.000Z deepgram-agent WARN  message key=value ...}. */
    static String text(long epochMillis, String level, String message, List<KeyValuePair> keyValues, String throwable) {
        StringBuilder sb = new StringBuilder(160);
        Timestamps.appendIso(sb, epochMillis);
        sb.append(" deepgram-agent ");
        sb.append(level);
        for (int i = level.length(); i < 5; i++) {
            sb.append(' ');
        }
        sb.append(' ').append(message);
        if (keyValues != null) {
            for (KeyValuePair kv : keyValues) {
                sb.append(' ').append(kv.key).append('=').append(quoteIfNeeded(String.valueOf(kv.value)));
            }
        }
        sb.append(LINE_SEPARATOR);
        if (throwable != null) {
            sb.append(throwable).append(LINE_SEPARATOR);
        }
        return sb.toString();
    }

    /** One JSON object per line; key/value pairs become top-level fields. */
    static String json(long epochMillis, String level, String logger, String message, List<KeyValuePair> keyValues,
                       String throwable) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"ts\":\"");
        Timestamps.appendIso(sb, epochMillis);
        sb.append('"');
        sb.append(",\"level\":\"").append(level).append('"');
        field(sb, "logger", logger);
        field(sb, "message", message);
        if (keyValues != null) {
            for (KeyValuePair kv : keyValues) {
                if (kv.value instanceof Number || kv.value instanceof Boolean) {
                    sb.append(",\"");
                    Json.escape(sb, kv.key);
                    sb.append("\":").append(kv.value);
                } else {
                    field(sb, kv.key, String.valueOf(kv.value));
                }
            }
        }
        if (throwable != null) {
            field(sb, "exception", throwable);
        }
        return sb.append('}').append(LINE_SEPARATOR).toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"");
        Json.escape(sb, name);
        sb.append("\":\"");
        Json.escape(sb, value);
        sb.append('"');
    }

    private static String quoteIfNeeded(String v) {
        if (!v.isEmpty() && v.indexOf(' ') < 0 && v.indexOf('"') < 0 && v.indexOf('=') < 0) {
            return v;
        }
        return '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
