package dev.deepgramagent.instrumentation.jakarta;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import jakarta.websocket.CloseReason;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import org.glassfish.tyrus.core.TyrusSession;
import org.glassfish.tyrus.spi.ClientEngine;
import org.glassfish.tyrus.spi.UpgradeRequest;
import org.glassfish.tyrus.spi.UpgradeResponse;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Advice inlined into Tyrus 2 ({@code org.glassfish.tyrus}, the Jakarta WebSocket reference
 * implementation). Each piece only extracts values and calls {@link Bridge}; every one suppresses any
 * Throwable. A session is keyed by its {@code TyrusClientEngine} during the handshake, by the
 * {@code TyrusEndpointWrapper} from the 101 (Tyrus builds both per connect), and by the app's
 * {@code Session} (a {@code TyrusSession}) once the wrapper built it, before the app's onOpen. A send the
 * agent drops or holds is skipped and answered as done: a completed future, or the app's handler told
 * OK, as Tyrus would once the frame was written.
 */
public final class JakartaAdvice {

    private JakartaAdvice() {
    }

    /**
     * TyrusClientEngine.createUpgradeRequest(TimeoutHandler), on exit: the request with the app's headers
     * (its Configurator's beforeRequest ran). Later calls (a redirect, an auth retry) find the engine
     * tracked already. Only the jakarta namespace: in a Tyrus 1 (javax) the instanceof fails and nothing is tracked.
     */
    public static final class UpgradeRequested {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object engine, @Advice.Return Object request) {
            if (request instanceof jakarta.websocket.server.HandshakeRequest && !Bridge.tracked(engine)) {
                UpgradeRequest r = (UpgradeRequest) request;
                Bridge.socketCreated(engine, "jakarta", r.getRequestUri(), r.getHeader("x-deepgram-session-id"));
            }
        }
    }

    /**
     * TyrusClientEngine.processResponse(UpgradeResponse, Writer, CloseListener): the server's answer. On
     * entry a 101 opens the session and hands it to the endpoint wrapper, which builds its Session inside
     * this call; any other status but a redirect ends it at once (with a configured auth retry, that retry
     * is a session of its own): inside, Tyrus tells the app's connect, and the app may be gone before
     * this method returns. On exit, an upgrade Tyrus gave up on after all (a redirect it does not follow,
     * a 101 it refused) ends it.
     */
    public static final class Answered {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object engine, @Advice.FieldValue("endpointWrapper") Object wrapper,
                          @Advice.Argument(0) Object response) {
            UpgradeResponse r = (UpgradeResponse) response;
            if (r == null || !Bridge.tracked(engine)) {
                return;
            }
            int status = r.getStatus();
            if (status == 101) {
                String id = r.getFirstHeaderValue("dg-request-id");
                Bridge.socketOpened(engine, id == null || id.isEmpty() ? null : id);
                Bridge.socketRekeyed(engine, wrapper);
            } else if (status < 300 || status > 399) {
                Bridge.failed(engine, new IOException("the WebSocket upgrade was refused with HTTP ".concat(String.valueOf(status))),
                        status, r.getFirstHeaderValue("dg-error"));
            }
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.This Object engine, @Advice.FieldValue("endpointWrapper") Object wrapper,
                         @Advice.Argument(0) Object response, @Advice.Return Object info, @Advice.Thrown Throwable thrown) {
            boolean failed = thrown != null || info != null && ((ClientEngine.ClientUpgradeInfo) info).getUpgradeStatus()
                    == ClientEngine.ClientUpgradeStatus.UPGRADE_REQUEST_FAILED;
            if (!failed) {
                return;
            }
            Object key = Bridge.tracked(engine) ? engine : Bridge.tracked(wrapper) ? wrapper : null;
            if (key == null) {
                return; // ended on entry, keyed by its Session by now, or no Deepgram socket
            }
            UpgradeResponse r = (UpgradeResponse) response;
            int status = r == null ? 0 : r.getStatus();
            Throwable error = thrown != null ? thrown : new IOException(status == 101 ? "Tyrus refused the server's 101"
                    : "the WebSocket upgrade was refused with HTTP ".concat(String.valueOf(status)));
            Bridge.failed(key, error, status == 101 ? 0 : status, r == null ? null : r.getFirstHeaderValue("dg-error"));
        }
    }

    /** TyrusClientEngine.processError(Throwable): the connection failed during the upgrade (a proxy, a redirect's reconnect). */
    public static final class ConnectFailed {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object engine, @Advice.Argument(0) Throwable error) {
            if (Bridge.tracked(engine)) {
                Bridge.failed(engine, error, 0, null);
            }
        }
    }

    /**
     * GrizzlyClientContainer.openClientSocket(ClientEndpointConfig, Map, ClientEngine), on a throw: the
     * connection never came (refused, DNS, connect timeout, TLS). The request exists by then; Tyrus
     * throws to the app without telling its engine.
     */
    public static final class OpenFailed {
        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Argument(2) Object engine, @Advice.Thrown Throwable thrown) {
            if (thrown != null && Bridge.tracked(engine)) {
                Bridge.failed(engine, thrown, 0, null);
            }
        }
    }

    /**
     * TyrusClientEngine.getTimeoutHandler(): Tyrus asks for it only when its handshake timeout
     * (ClientProperties.HANDSHAKE_TIMEOUT, 30 s by default) ran out, to drop the connection; the app's
     * connect then throws. Without this the session would wait for the agent's sweep.
     */
    public static final class HandshakeTimedOut {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object engine, @Advice.FieldValue("endpointWrapper") Object wrapper) {
            Object key = Bridge.tracked(engine) ? engine : Bridge.tracked(wrapper) ? wrapper : null;
            if (key != null) {
                Bridge.failed(key, new SocketTimeoutException("Tyrus's handshake timeout ran out"), 0, null);
            }
        }
    }

    /** TyrusEndpointWrapper.createSessionForRemoteEndpoint(...), on exit: the app's Session becomes the key, before its onOpen. */
    public static final class SessionCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object wrapper, @Advice.Return Object session) {
            if (session != null) {
                Bridge.socketRekeyed(wrapper, session);
            }
        }
    }

    /**
     * TyrusEndpointWrapper.onMessage(TyrusWebSocket, String): a whole text message, reported before the
     * app's handler has it (an app that closes inside its handler must find it counted), and its
     * delivery on exit: a deferred close the message allows waits for that (JakartaControl
     * closesAfterDelivery), because Tyrus hands nothing to the app of a closed session.
     */
    public static final class ReadText {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.FieldValue("webSocketToSession") Map<?, ?> sessions, @Advice.Argument(0) Object socket,
                            @Advice.Argument(1) String text) {
            Object session = sessions.get(socket);
            if (session != null) {
                Bridge.textReceived(session, text);
            }
            return session;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object session) {
            if (session != null) {
                Bridge.messageDelivered(session);
            }
        }
    }

    /** TyrusEndpointWrapper.onPartialMessage(TyrusWebSocket, String, boolean): a text fragment (the engine joins them), as onMessage. */
    public static final class ReadTextPart {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static Object enter(@Advice.FieldValue("webSocketToSession") Map<?, ?> sessions, @Advice.Argument(0) Object socket,
                            @Advice.Argument(1) String part, @Advice.Argument(2) boolean last) {
            Object session = sessions.get(socket);
            if (session != null && part != null) {
                Bridge.textPartReceived(session, part, last);
            }
            return session;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter Object session) {
            if (session != null) {
                Bridge.messageDelivered(session);
            }
        }
    }

    /**
     * TyrusEndpointWrapper.onClose(TyrusWebSocket, CloseReason): every end, before the app's onClose (a
     * second call for the same socket finds its session gone). A Session already closed is the app's or
     * the agent's own close: Tyrus drops the connection once its close frame is out, without waiting for
     * the server's. An open one with 1006 lost its connection; any other code is the server's close frame
     * (or a protocol error Tyrus found in what it read).
     */
    public static final class Ended {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("webSocketToSession") Map<?, ?> sessions, @Advice.Argument(0) Object socket,
                          @Advice.Argument(1) Object closeReason) {
            Object session = sessions.get(socket);
            if (session == null) {
                return;
            }
            CloseReason reason = (CloseReason) closeReason;
            int code = reason == null ? 1005 : reason.getCloseCode().getCode();
            if (!((TyrusSession) session).isOpen()) {
                Bridge.failed(session, new ClosedAfterCloseFrame(), 0, null);
            } else if (code == 1006) {
                Bridge.failed(session, new EOFException("the connection ended without a close frame"), 0, null);
            } else {
                String phrase = reason.getReasonPhrase();
                Bridge.closeReceived(session, code, phrase == null ? "" : phrase);
            }
        }
    }

    /**
     * TyrusSession.close(CloseReason): the agent may defer it, and must: the method first marks the
     * Session closed, after which Tyrus stops delivering messages to the app. 1006 is Tyrus's own idle
     * timeout (IdleTimeoutCommand), never deferred: a client timeout.
     */
    public static final class Close {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object session, @Advice.Argument(0) Object closeReason) {
            CloseReason reason = (CloseReason) closeReason;
            int code = reason == null ? 1000 : reason.getCloseCode().getCode();
            if (code == 1006) {
                Bridge.failed(session, new SocketTimeoutException("the session's max idle timeout ran out"), 0, null);
                return false;
            }
            String phrase = reason == null ? null : reason.getReasonPhrase();
            if (!Bridge.closeRequested(session, code, phrase, !((TyrusSession) session).isOpen())) {
                return false;
            }
            Bridge.closeIssued(session, code, phrase, null, null); // JakartaControl stops the idle timer the skipped close would have
            return true;
        }
    }

    /** TyrusSession.close(): a normal close (1000), as close(CloseReason). */
    public static final class CloseNormal {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object session) {
            if (!Bridge.closeRequested(session, 1000, null, !((TyrusSession) session).isOpen())) {
                return false;
            }
            Bridge.closeIssued(session, 1000, null, null, null);
            return true;
        }
    }

    /** RemoteEndpoint.Basic sendBinary(ByteBuffer[, boolean]): the audio path of blocking sends; a dropped frame is skipped. */
    public static final class SendBinary {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) ByteBuffer bytes) {
            return bytes != null && Bridge.binarySent(session, bytes);
        }
    }

    /** RemoteEndpoint.Async sendBinary(ByteBuffer), a Future: a dropped frame answers a completed one. */
    public static final class SendBinaryFuture {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) ByteBuffer bytes) {
            return bytes != null && Bridge.binarySent(session, bytes);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter boolean skipped,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (skipped) {
                result = CompletableFuture.completedFuture(null);
            }
        }
    }

    /** RemoteEndpoint.Async sendBinary(ByteBuffer, SendHandler): a dropped frame tells the handler OK. */
    public static final class SendBinaryHandler {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) ByteBuffer bytes,
                             @Advice.Argument(1) Object handler) {
            if (bytes == null || !Bridge.binarySent(session, bytes)) {
                return false;
            }
            try {
                if (handler != null) {
                    ((SendHandler) handler).onResult(new SendResult());
                }
            } catch (Throwable appsOwn) {
                // the app's handler threw: the frame stays dropped
            }
            return true;
        }
    }

    /** RemoteEndpoint.Basic sendText(String): a held message (Flux's CloseStream mid-turn) goes later, a dropped one never. */
    public static final class SendText {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) String text) {
            return text != null && Bridge.textSent(session, text) != BridgeHandler.SEND;
        }
    }

    /** RemoteEndpoint.Async sendText(String), a Future: held or dropped, a completed one. */
    public static final class SendTextFuture {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) String text) {
            return text != null && Bridge.textSent(session, text) != BridgeHandler.SEND;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter boolean skipped,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (skipped) {
                result = CompletableFuture.completedFuture(null);
            }
        }
    }

    /** RemoteEndpoint.Async sendText(String, SendHandler): held or dropped, the handler hears OK. */
    public static final class SendTextHandler {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.FieldValue("session") Object session, @Advice.Argument(0) String text,
                             @Advice.Argument(1) Object handler) {
            if (text == null || Bridge.textSent(session, text) == BridgeHandler.SEND) {
                return false;
            }
            try {
                if (handler != null) {
                    ((SendHandler) handler).onResult(new SendResult());
                }
            } catch (Throwable appsOwn) {
                // the app's handler threw: the message stays held or dropped
            }
            return true;
        }
    }
}
