package dev.deepgramagent.core.session;

import java.util.List;
import java.util.Locale;

/**
 * Deepgram's {@code Error} text frames: the fixed label set they are counted under, and the root
 * cause they give the close that follows them.
 */
public final class ErrorFrames {

    /** The {@code variant} label values of deepgram_agent_error_messages_total. */
    public static final List<String> LABELS = List.of(
            "schema_error", "invalid_configure_message", "unknown_message_type", "unparsable_client_message", "other");

    private ErrorFrames() {
    }

    /** Deepgram's variant (e.g. {@code SchemaError}) as a label of the fixed set; anything else is {@code other}. */
    static String label(String variant) {
        if (variant == null) {
            return "other";
        }
        switch (variant) {
            case "SchemaError": return "schema_error";
            case "InvalidConfigureMessage": return "invalid_configure_message";
            case "UnknownMessageType": return "unknown_message_type";
            case "UnparsableClientMessage": return "unparsable_client_message";
            default: return "other";
        }
    }

    /** The root cause of a server close that directly follows an Error frame, or null to classify the close itself. */
    static RootCause causeOfClose(String variant, String code) {
        String c = code == null ? "" : code.trim().toUpperCase(Locale.ROOT);
        if (c.startsWith("NET-0001")) {
            return RootCause.SERVER_IDLE_TIMEOUT;
        }
        if (c.startsWith("NET-0000")) {
            return RootCause.SERVER_PROCESSING_TIMEOUT;
        }
        if (c.startsWith("DATA-0000")) {
            return RootCause.BAD_AUDIO;
        }
        if (!"other".equals(label(variant)) || c.equals("INVALID_MESSAGE")) {
            return RootCause.MESSAGE_REJECTED; // the client sent a message Deepgram refused
        }
        return null;
    }

    /**
     * Deepgram's {@code dg-error} header of a rejected handshake, fit for a log line: quoted parts
     * (where an error message would echo a value from the request) removed, control characters
     * dropped, at most 120 characters. Never in a metric.
     */
    public static String redactServerMessage(String message) {
        if (message == null || message.isEmpty()) {
            return null;
        }
        String s = message.replaceAll("\"[^\"]*\"|'[^']*'|`[^`]*`", "\"...\"").replaceAll("\\p{Cntrl}", " ").trim();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
