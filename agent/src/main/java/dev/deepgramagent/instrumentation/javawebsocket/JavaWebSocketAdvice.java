package dev.deepgramagent.instrumentation.javawebsocket;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import net.bytebuddy.asm.Advice;
import org.java_websocket.WebSocket;
import org.java_websocket.enums.Opcode;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ServerHandshake;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Advice inlined into Java-WebSocket ({@code org.java_websocket}). Each piece only extracts values
 * and calls {@link Bridge}; every one suppresses any Throwable. A send the agent drops (the app sends
 * after its close, which the agent holds while Java-WebSocket still says the socket is open) is
 * skipped silently: throwing would surprise an app that checked isOpen() first. The key of a session is the client's
 * connection, its {@code WebSocketImpl} (one per connection attempt).
 */
public final class JavaWebSocketAdvice {

    private JavaWebSocketAdvice() {
    }

    /** WebSocketClient(URI, Draft, Map, int connectTimeout), which the other constructors call. */
    public static final class ConnectTimeout {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) URI uri, @Advice.Argument(value = 3, readOnly = false) int connectTimeout) {
            if (uri != null) {
                long tuned = Bridge.tunedTimeout(null, uri.toString(), "java-websocket.connect.timeout", connectTimeout);
                if (tuned != connectTimeout) {
                    connectTimeout = (int) Math.min(Integer.MAX_VALUE, Math.max(0, tuned));
                }
            }
        }
    }

    /** WebSocketClient.connect() (connectBlocking and reconnect call it): the session starts. */
    public static final class Connect {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("engine") Object connection, @Advice.FieldValue("uri") URI uri,
                          @Advice.FieldValue("headers") Map<String, String> headers,
                          @Advice.FieldValue("connectReadThread") Thread started) {
            if (started == null && uri != null) { // a second connect() throws: not a new session
                Bridge.socketCreated(connection, "java-websocket", uri.toString(),
                        headers == null ? null : headers.get("x-deepgram-session-id")); // a case-insensitive map
            }
        }
    }

    /** WebSocketClient.onWebsocketMessage(WebSocket, String), final: a whole text message, before the app's onMessage. */
    public static final class ReadText {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object connection, @Advice.Argument(1) String text) {
            Bridge.textReceived(connection, text);
        }
    }

    /** WebSocketClient.onWebsocketError: before the handshake completed, the connect error itself. */
    public static final class ConnectFailure {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object connection, @Advice.Argument(1) Exception error) {
            if (connection != null && ((WebSocket) connection).getReadyState() == ReadyState.NOT_YET_CONNECTED) {
                Bridge.failed(connection, error, 0, null);
            }
        }
    }

    /** WebSocketClient.closeConnection(int, String): the app drops the connection without a close handshake. */
    public static final class Cancel {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("engine") Object connection) {
            Bridge.cancelRequested(connection);
        }
    }

    /** WebSocketImpl.open(Handshakedata): the handshake succeeded, before the app's onOpen. */
    public static final class Opened {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object connection, @Advice.Argument(0) Object handshake) {
            if (handshake instanceof ServerHandshake) {
                String id = ((ServerHandshake) handshake).getFieldValue("dg-request-id");
                Bridge.socketOpened(connection, id == null || id.isEmpty() ? null : id);
            }
        }
    }

    /**
     * WebSocketImpl.send(ByteBuffer), which send(byte[]) and the client's sends reach: the audio path.
     * The buffer {@code send(byte[])} wraps must not escape into the agent (see Bridge.binarySent(Object,
     * ByteBuffer)), or the JIT could no longer leave it unallocated.
     */
    public static final class SendBinary {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object connection, @Advice.Argument(0) ByteBuffer bytes) {
            return bytes != null && Bridge.binarySent(connection, bytes);
        }
    }

    /** WebSocketImpl.send(String): a held message (Flux's CloseStream mid-turn) is accepted now, sent later; a dropped one skipped. */
    public static final class SendText {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static int enter(@Advice.This Object connection, @Advice.Argument(0) String text) {
            return text == null ? BridgeHandler.SEND : Bridge.textSent(connection, text);
        }
    }

    /** WebSocketImpl.sendFragmentedFrame(Opcode, ByteBuffer, boolean): binary fragments count as audio. */
    public static final class SendFragment {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object connection, @Advice.Argument(0) Object opcode, @Advice.Argument(1) ByteBuffer bytes) {
            return bytes != null && (opcode == Opcode.BINARY || opcode == Opcode.CONTINUOUS) && Bridge.binarySent(connection, bytes);
        }
    }

    /**
     * WebSocketImpl.close(int), which close() and the client's close() reach: the agent may defer it.
     * It must: after a close Java-WebSocket stops reading, and every result after it would be lost.
     */
    public static final class Close {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object connection, @Advice.Argument(0) int code) {
            return Bridge.closeRequested(connection, code, null, ((WebSocket) connection).getReadyState() != ReadyState.OPEN);
        }
    }

    /** WebSocketImpl.close(int, String): as close(int). */
    public static final class CloseWithReason {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object connection, @Advice.Argument(0) int code, @Advice.Argument(1) String reason) {
            return Bridge.closeRequested(connection, code, reason, ((WebSocket) connection).getReadyState() != ReadyState.OPEN);
        }
    }

    /**
     * WebSocketImpl.close(InvalidDataException) before the handshake completed: the upgrade was refused.
     * Java-WebSocket stops at the status line ("Invalid status code received: 401 Status line: ..."),
     * so the status comes from its message and the response's headers are never read.
     */
    public static final class Rejected {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object connection, @Advice.Argument(0) Exception error) {
            if (((WebSocket) connection).getReadyState() != ReadyState.NOT_YET_CONNECTED) {
                return;
            }
            String message = String.valueOf(error.getMessage());
            int status = 0;
            int at = message.indexOf("received: ");
            if (at >= 0) {
                for (int i = at + 10; i < message.length() && Character.isDigit(message.charAt(i)) && status < 1000; i++) {
                    status = status * 10 + (message.charAt(i) - '0');
                }
            }
            Bridge.failed(connection, error, status, null);
        }
    }

    /**
     * WebSocketImpl.closeConnection(int, String, boolean): every end. -1: never connected; 1006: the
     * connection dropped, or the lost-connection timer's pong never came (a client timeout); remote:
     * the server's close; otherwise Java-WebSocket dropped the connection after its own close frame,
     * without reading the server's (it stops reading once it has closed).
     */
    public static final class Ended {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object connection, @Advice.Argument(0) int code, @Advice.Argument(1) String message,
                          @Advice.Argument(2) boolean remote) {
            if (((WebSocket) connection).getReadyState() == ReadyState.CLOSED) {
                return;
            }
            String text = message == null ? "" : message;
            if (code == CloseFrame.NEVER_CONNECTED) {
                Bridge.failed(connection, new IOException("the connection failed: ".concat(text)), 0, null);
            } else if (code == CloseFrame.ABNORMAL_CLOSE) {
                Bridge.failed(connection, text.contains("did not respond with a pong in time")
                        ? new SocketTimeoutException(text) : new EOFException("the connection ended without a close frame"), 0, null);
            } else if (remote) {
                Bridge.closeReceived(connection, code, text);
            } else {
                Bridge.failed(connection, new ClosedAfterCloseFrame(), 0, null);
            }
        }
    }

    /** Draft_6455.processFrameClosing(WebSocketImpl, Framedata): the server's close frame, as it is read. */
    public static final class ReadClose {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object connection, @Advice.Argument(1) Object frame) {
            if (frame instanceof CloseFrame) {
                CloseFrame close = (CloseFrame) frame;
                Bridge.closeReceived(connection, close.getCloseCode(), close.getMessage() == null ? "" : close.getMessage());
            } else {
                Bridge.closeReceived(connection, CloseFrame.NOCODE, "");
            }
        }
    }

    /**
     * AbstractWebSocket.startConnectionLostTimer(), from the client's onWebsocketOpen: its interval is
     * both the ping interval and, times 1.5, how long a pong may take before the connection counts as lost.
     */
    public static final class PingInterval {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object self,
                          @Advice.FieldValue(value = "connectionLostTimeout", readOnly = false) long intervalNanos) {
            if (self instanceof org.java_websocket.client.WebSocketClient) {
                Object connection = ((org.java_websocket.client.WebSocketClient) self).getConnection();
                long millis = intervalNanos / 1_000_000L;
                long tuned = Bridge.tunedTimeout(connection, null, "java-websocket.ping.interval", millis);
                if (tuned != millis) {
                    intervalNanos = Math.max(0, tuned) * 1_000_000L;
                }
            }
        }
    }
}
