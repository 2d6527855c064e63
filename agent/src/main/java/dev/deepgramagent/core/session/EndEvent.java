package dev.deepgramagent.core.session;

/** What the library reported when the session ended. */
public final class EndEvent {

    public enum Kind { SERVER_CLOSE, FAILURE, SHUTDOWN, ORPHANED }

    final Kind kind;
    final int closeCode;
    final String closeReason;
    final Throwable error;
    final int httpStatus;

    private EndEvent(Kind kind, int closeCode, String closeReason, Throwable error, int httpStatus) {
        this.kind = kind;
        this.closeCode = closeCode;
        this.closeReason = closeReason;
        this.error = error;
        this.httpStatus = httpStatus;
    }

    /** A close frame from the server (the answer to ours, or its own). */
    public static EndEvent serverClose(int code, String reason) {
        return new EndEvent(Kind.SERVER_CLOSE, code, reason, null, 0);
    }

    /** The connection failed; {@code httpStatus} is the handshake response's status, 0 if none. */
    public static EndEvent failure(Throwable error, int httpStatus) {
        return new EndEvent(Kind.FAILURE, -1, null, error, httpStatus);
    }

    /** The socket object was garbage collected and the library never reported an end. */
    public static EndEvent orphaned() {
        return new EndEvent(Kind.ORPHANED, -1, null, null, 0);
    }

    public static EndEvent shutdown() {
        return new EndEvent(Kind.SHUTDOWN, -1, null, null, 0);
    }
}
