package dev.deepgramagent.core.session;

import dev.deepgramagent.bridge.ClosedAfterCloseFrame;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** Gives every session end exactly one {@link RootCause}. Pure: facts in, cause out. */
public final class EndClassifier {

    /** Below this, audio counts as covered (rounding of Deepgram's start/duration, a partial last frame). */
    static final double LOST_EPSILON_SECONDS = 0.05;

    private EndClassifier() {
    }

    /** Called with the session's lock held. */
    static RootCause classify(Session s, EndEvent e, double lostSeconds) {
        if (s.shutdown) {
            return RootCause.JVM_SHUTDOWN;
        }
        if (e.kind == EndEvent.Kind.SHUTDOWN) {
            return RootCause.JVM_SHUTDOWN;
        }
        if (e.kind == EndEvent.Kind.ORPHANED) {
            return RootCause.UNKNOWN; // nothing was observed about how it ended
        }
        boolean opened = s.openedNanos != 0;
        if (!opened) {
            int status = e.httpStatus;
            if (status == 401 || status == 403) {
                return RootCause.HANDSHAKE_AUTH;
            }
            if (status == 429) {
                return RootCause.HANDSHAKE_RATE_LIMITED;
            }
            if (status >= 400 && status < 500) {
                return RootCause.HANDSHAKE_REJECTED;
            }
            if (status >= 500 && status < 600) {
                return RootCause.HANDSHAKE_SERVER_ERROR;
            }
            if (s.appCancelled) {
                return RootCause.CLIENT_CANCEL;
            }
            if (isTimeout(e.error)) {
                return RootCause.CLIENT_TIMEOUT;
            }
            if (e.kind == EndEvent.Kind.FAILURE) {
                return RootCause.NETWORK_RESET;
            }
            return RootCause.UNKNOWN;
        }
        if (e.kind == EndEvent.Kind.SERVER_CLOSE) {
            if (s.clientCloseSent) {
                // Our (the app's or the agent's) close was answered: did the words make it?
                return lost(s, lostSeconds) ? RootCause.CLIENT_CLOSE_UNFLUSHED : RootCause.CLEAN;
            }
            String reason = e.closeReason == null ? "" : e.closeReason.trim().toUpperCase(Locale.ROOT);
            // The close's own reason code, when Deepgram gives one, is the most specific fact.
            if (e.closeCode == 1011 && reason.startsWith("NET-0001")) {
                return RootCause.SERVER_IDLE_TIMEOUT;
            }
            if (e.closeCode == 1011 && reason.startsWith("NET-0000")) {
                return RootCause.SERVER_PROCESSING_TIMEOUT;
            }
            if (e.closeCode == 1008 && reason.startsWith("DATA-0000")) {
                return RootCause.BAD_AUDIO;
            }
            // Deepgram closes 1000 after CloseStream; Flux closes without a status code (1005):
            // clean unless audio went unanswered (Flux: a turn left unfinished). No Error changes that.
            boolean streamEnd = e.closeCode == 1000 || (e.closeCode == 1005 && s.closeStreamSent);
            if (!streamEnd && s.pendingErrorVariant != null) {
                // An Error frame right before an otherwise unexplained close says why (set only while recent, see SessionEngine.end).
                RootCause fromError = ErrorFrames.causeOfClose(s.pendingErrorVariant, s.pendingErrorCode);
                if (fromError != null) {
                    return fromError;
                }
            }
            if (e.closeCode == 1008 && reason.startsWith("INVALID_MESSAGE")) {
                return RootCause.MESSAGE_REJECTED;
            }
            if (streamEnd) {
                return lost(s, lostSeconds) ? RootCause.CLIENT_CLOSE_UNFLUSHED : RootCause.CLEAN;
            }
            return RootCause.SERVER_ERROR;
        }
        // FAILURE after the handshake
        if (s.appCancelled) {
            return RootCause.CLIENT_CANCEL;
        }
        if (s.clientCloseSent) {
            if (e.error instanceof ClosedAfterCloseFrame) {
                return lost(s, lostSeconds) ? RootCause.CLIENT_CLOSE_UNFLUSHED : RootCause.CLEAN;
            }
            return isTimeout(e.error) || isCancel(e.error) ? RootCause.CLOSE_TIMEOUT : RootCause.NETWORK_RESET;
        }
        if (isTimeout(e.error)) {
            return RootCause.CLIENT_TIMEOUT;
        }
        if (e.error != null) {
            return RootCause.NETWORK_RESET;
        }
        return RootCause.UNKNOWN;
    }

    private static boolean lost(Session s, double lostSeconds) {
        if (s.format.knowsDuration() && !s.adopted) {
            return lostSeconds > LOST_EPSILON_SECONDS;
        }
        if (s.flux) {
            return s.turnActive; // trailing audio after the last turn may be silence: only an open turn is known lost
        }
        // Without a known audio rate: audio after the last answered flush counts as lost.
        return s.audioBytes() > s.bytesAtLastFlush || s.flushOutstanding;
    }

    static boolean isTimeout(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SocketTimeoutException) {
                return true;
            }
            if (c instanceof InterruptedIOException && String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) {
                return true;
            }
            if (c.getClass().getName().endsWith("HttpTimeoutException") || c.getClass().getName().endsWith("TimeoutException")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isCancel(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("canceled") || m.contains("cancelled") || m.contains("aborted") || m.contains("socket closed")) {
                return true;
            }
        }
        return false;
    }
}
