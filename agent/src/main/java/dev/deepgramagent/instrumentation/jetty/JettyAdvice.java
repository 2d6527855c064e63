package dev.deepgramagent.instrumentation.jetty;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import net.bytebuddy.asm.Advice;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.core.OutgoingEntry;
import org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest;

import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * Advice inlined into Jetty 12.1's WebSocket core. Each piece only extracts values and calls
 * {@link Bridge}; every one suppresses any Throwable. Compiled for Java 17 on its own (Jetty's
 * class files are 17), never loaded by the agent. A session is keyed by the upgrade request during
 * the handshake, by the request's frame handler once the 101 arrived, then by the
 * {@code WebSocketCoreSession} Jetty builds for it.
 */
public final class JettyAdvice {

    private JettyAdvice() {
    }

    /**
     * CoreClientUpgradeRequest.send(CompleteListener): the request is built (the app's headers included).
     * Only Jetty 12.1 (whose sends all pass through {@code sendFrame(OutgoingEntry)}) is tracked: on 12.0
     * the other hooks would match while the audio stayed invisible.
     */
    public static final class Send {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object request) throws Exception {
            Class.forName("org.eclipse.jetty.websocket.core.OutgoingEntry", false, request.getClass().getClassLoader());
            CoreClientUpgradeRequest r = (CoreClientUpgradeRequest) request;
            Bridge.socketCreated(request, "jetty", String.valueOf(r.getURI()), r.getHeaders().get("x-deepgram-session-id"));
        }
    }

    /** CoreClientUpgradeRequest.upgrade(Response, EndPoint): the 101; the session is built in this method. */
    public static final class Upgraded {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object request, @Advice.Argument(0) Object response,
                          @Advice.FieldValue("frameHandler") Object frameHandler) {
            Bridge.socketOpened(request, ((Response) response).getHeaders().get("dg-request-id"));
            Bridge.socketRekeyed(request, frameHandler);
        }
    }

    /**
     * CoreClientUpgradeRequest.onComplete(Result): Jetty calls it for an upgrade that did not happen
     * (no connection, another status, a 101 it refused, or upgrade() throwing after the 101): the
     * session ends, keyed by the request or, once upgrade() started, by its frame handler.
     */
    public static final class Completed {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object request, @Advice.Argument(0) Object result,
                          @Advice.FieldValue("upgraded") boolean upgraded, @Advice.FieldValue("frameHandler") Object frameHandler) {
            Result r = (Result) result;
            if (upgraded && !r.isFailed()) {
                return;
            }
            Response response = r.getResponse();
            int status = response == null ? 0 : response.getStatus();
            Throwable failure = r.getFailure();
            Throwable error = failure != null ? failure : new IOException("the WebSocket upgrade was refused");
            String dgError = response == null ? null : response.getHeaders().get("dg-error");
            Bridge.failed(request, error, status == 101 ? 0 : status, dgError);
            if (frameHandler != null) {
                Bridge.failed(frameHandler, error, status == 101 ? 0 : status, dgError);
            }
        }
    }

    /** WebSocketCoreSession(FrameHandler, Behavior, Negotiated, WebSocketComponents): the session replaces its handler as the key. */
    public static final class SessionCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session, @Advice.Argument(0) Object frameHandler) {
            Bridge.socketRekeyed(frameHandler, session);
        }
    }

    /** setWebSocketConnection: the session's idle timeout applies from here; tuned on Deepgram sessions. */
    public static final class IdleTimeout {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object session) {
            CoreSession s = (CoreSession) session;
            Duration current = s.getIdleTimeout();
            long app = current == null ? 0 : current.toMillis();
            long tuned = Bridge.tunedTimeout(session, null, "jetty.idle.timeout", app);
            if (tuned != app) {
                s.setIdleTimeout(Duration.ofMillis(Math.max(0, tuned)));
            }
        }
    }

    /**
     * sendFrame(OutgoingEntry), which every send of the session is (the Jetty API's and the core's):
     * binary frames are audio, text frames control messages. A dropped frame fails its callback as
     * Jetty fails a write after a close; a held one completes it.
     */
    public static final class SendFrame {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object session, @Advice.Argument(0) Object outgoing) {
            OutgoingEntry entry = (OutgoingEntry) outgoing;
            Frame frame = entry.getFrame();
            byte opcode = frame.getOpCode();
            if (opcode == OpCode.BINARY) {
                if (Bridge.binarySent(session, frame.getPayloadLength(), frame.getPayload())) {
                    try {
                        entry.getCallback().failed(new ClosedChannelException());
                    } catch (Throwable appsOwn) {
                        // the app's callback threw: the frame stays dropped
                    }
                    return true;
                }
                return false;
            }
            if (opcode != OpCode.TEXT || !Bridge.tracked(session)) {
                return false; // decode text only on a tracked session
            }
            int verdict = Bridge.textSent(session, frame.getPayloadAsUTF8());
            if (verdict == BridgeHandler.SEND) {
                return false;
            }
            try {
                if (verdict == BridgeHandler.DROP) {
                    entry.getCallback().failed(new ClosedChannelException());
                } else {
                    entry.getCallback().succeeded();
                }
            } catch (Throwable appsOwn) {
                // the app's callback threw: the frame stays dropped or held all the same
            }
            return true;
        }
    }

    /**
     * close(int, String, Callback), which the Jetty API's closes reach: the agent may defer it, and
     * then keeps the app's callback for the close it performs later (Jetty completes it then).
     */
    public static final class Close {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object session, @Advice.Argument(0) int code, @Advice.Argument(1) String reason,
                             @Advice.Argument(2) Object callback) {
            if (!Bridge.closeRequested(session, code, reason, !((CoreSession) session).isOutputOpen())) {
                return false;
            }
            // JettyControl answers something else than the callback once it holds it; the same callback
            // means the session ended in between (or the agent stopped writing): Jetty's close goes on.
            return Bridge.closeIssued(session, code, reason, null, callback) != callback;
        }
    }

    /** close(Callback): a close without a status code, for the agent a normal close. */
    public static final class CloseNoCode {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object session, @Advice.Argument(0) Object callback) {
            if (!Bridge.closeRequested(session, 1000, null, !((CoreSession) session).isOutputOpen())) {
                return false;
            }
            return Bridge.closeIssued(session, 1000, null, null, callback) != callback;
        }
    }

    /** onFrame(Frame, Callback): frames as they are read, before the app's handler (text parts joined by the engine). */
    public static final class ReadFrame {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session, @Advice.Argument(0) Object read) {
            Frame frame = (Frame) read;
            byte opcode = frame.getOpCode();
            if (frame.isRsv1() || opcode == OpCode.BINARY || opcode == OpCode.PING || opcode == OpCode.PONG
                    || !Bridge.tracked(session)) {
                return; // compressed (not readable before the extensions), not text, or not a Deepgram session
            }
            if (opcode == OpCode.TEXT || opcode == OpCode.CONTINUATION) {
                Bridge.textPartReceived(session, frame.getPayloadAsUTF8(), frame.isFin());
            } else if (opcode == OpCode.CLOSE) {
                CloseStatus status = CloseStatus.getCloseStatus(frame);
                Bridge.closeReceived(session, status.getCode(), status.getReason() == null ? "" : status.getReason());
            }
        }
    }

    /**
     * closeConnection(CloseStatus, Callback), private: every end (close handshake, end of input,
     * errors, idle timeout). With a cause, that is the failure; 1006 is the input ending without a
     * close frame; otherwise the client dropped the connection after its own close.
     */
    public static final class Ended {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object session, @Advice.Argument(0) Object closeStatus) {
            CloseStatus status = (CloseStatus) closeStatus;
            Throwable cause = status.getCause();
            if (cause != null) {
                Bridge.failed(session, cause, 0, null);
            } else if (status.getCode() == CloseStatus.NO_CLOSE) {
                Bridge.failed(session, new EOFException("the connection ended without a close frame"), 0, null);
            } else {
                Bridge.failed(session, new ClosedAfterCloseFrame(), 0, null);
            }
        }
    }

    /** The Jetty API's Session.disconnect(): the app drops the connection without a close handshake. */
    public static final class Disconnect {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("coreSession") Object coreSession) {
            Bridge.cancelRequested(coreSession);
        }
    }
}
