package dev.deepgramagent.simulator;

import java.util.Locale;

/**
 * Failures the simulator reproduces. Chosen per session with the query parameter
 * {@code sim_fault=<name>} (or, for clients that cannot add query parameters, an API key of the
 * form {@code sim_fault:<name>}), or for every session with {@code --fault <name>}.
 */
public enum Fault {
    /** No fault: behave like a healthy Deepgram. */
    NONE("none"),
    /** Close 1011 NET-0000 after {@code sim_fault_after} (the service produced no text frame in its window). */
    PROCESSING_TIMEOUT("net0000"),
    /** Close 1008 DATA-0000 on the first audio frame. */
    BAD_AUDIO("bad_audio"),
    REJECT_400("reject_400"),
    REJECT_401("reject_401"),
    REJECT_402("reject_402"),
    REJECT_403("reject_403"),
    REJECT_429("reject_429"),
    REJECT_500("reject_500"),
    REJECT_503("reject_503"),
    /** TCP reset (RST, no close frame) after {@code sim_reset_after_bytes} of audio or {@code sim_fault_after}. */
    RESET("reset"),
    /** After {@code sim_fault_after}, stop reading and writing without closing the connection. */
    HALF_OPEN("half_open"),
    /** Answer Finalize and CloseStream only after {@code sim_flush_delay}. */
    SLOW_FLUSH("slow_flush"),
    /** Ignore Finalize entirely (CloseStream still works). */
    IGNORE_FINALIZE("ignore_finalize"),
    /** Close with {@code sim_close_code} / {@code sim_close_reason} after {@code sim_fault_after}. */
    CLOSE("close");

    private final String id;

    Fault(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The HTTP status of a handshake rejection, or 0. */
    public int rejectStatus() {
        return name().startsWith("REJECT_") ? Integer.parseInt(name().substring("REJECT_".length())) : 0;
    }

    public static Fault parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Fault f : values()) {
            if (f.id.equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown fault '" + value + "'; accepted: " + accepted());
    }

    public static String accepted() {
        StringBuilder sb = new StringBuilder();
        for (Fault f : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(f.id);
        }
        return sb.toString();
    }
}
