package dev.deepgramagent.instrumentation.nv;

import com.neovisionaries.ws.client.OpeningHandshakeException;
import com.neovisionaries.ws.client.WebSocket;
import com.neovisionaries.ws.client.WebSocketError;
import com.neovisionaries.ws.client.WebSocketException;
import com.neovisionaries.ws.client.WebSocketFrame;
import com.neovisionaries.ws.client.WebSocketState;
import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import dev.deepgramagent.bridge.ClosedAfterCloseFrame;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Map;

/**
 * Advice inlined into nv-websocket-client ({@code com.neovisionaries.ws.client}). Each piece only
 * extracts values and calls {@link Bridge}; every one suppresses any Throwable. Parameters of the
 * library's own types are compiled against nv-websocket-client 2.14 and resolve in the app's loader.
 * The key of a session is the library's {@code WebSocket}.
 */
public final class NvWebSocketAdvice {

    private NvWebSocketAdvice() {
    }

    /** WebSocketFactory's private createSocket(scheme, userInfo, host, port, path, query, timeout): the connect timeout. */
    public static final class ConnectTimeout {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) String scheme, @Advice.Argument(2) String host, @Advice.Argument(3) int port,
                          @Advice.Argument(4) String path, @Advice.Argument(5) String query,
                          @Advice.Argument(value = 6, readOnly = false) int timeout) {
            // No string concatenation in advice: javac compiles it to invokedynamic, which nv-websocket's Java 5 class files cannot hold.
            StringBuilder url = new StringBuilder(scheme).append("://").append(host);
            if (port >= 0) {
                url.append(':').append(port);
            }
            url.append(path == null ? "/" : path);
            if (query != null) {
                url.append('?').append(query);
            }
            long tuned = Bridge.tunedTimeout(null, url.toString(), "nv-websocket.connect.timeout", timeout);
            if (tuned != timeout) {
                timeout = (int) Math.min(Integer.MAX_VALUE, Math.max(0, tuned));
            }
        }
    }

    /**
     * connect(): the session starts (the adapter reads the URI and the app's headers), and a handshake
     * that fails ends it, with the HTTP status of a rejection. connect(ExecutorService) and
     * connectAsynchronously() run this one.
     */
    public static final class Connect {
        /** @return whether this call starts the socket's one connection (a second connect() only throws). */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket) {
            if (((WebSocket) socket).getState() != WebSocketState.CREATED) {
                return false;
            }
            Bridge.socketCreated(socket, "nv-websocket", null, null); // described by NvControl
            return true;
        }

        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean connecting, @Advice.Thrown Throwable thrown) {
            if (!connecting) {
                return;
            }
            if (thrown instanceof OpeningHandshakeException) {
                OpeningHandshakeException e = (OpeningHandshakeException) thrown;
                Map<String, List<String>> headers = e.getHeaders();
                List<String> error = headers == null ? null : headers.get("dg-error");
                Bridge.failed(socket, e, e.getStatusLine() == null ? 0 : e.getStatusLine().getStatusCode(),
                        error == null || error.isEmpty() ? null : error.get(0));
            } else if (thrown != null) {
                Bridge.failed(socket, thrown, 0, null);
            }
        }
    }

    /** startThreads(): the handshake succeeded, before the reading thread delivers anything; the ping interval. */
    public static final class Opened {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.FieldValue("mServerHeaders") Map<String, List<String>> headers) {
            List<String> id = headers == null ? null : headers.get("dg-request-id"); // a case-insensitive map
            Bridge.socketOpened(socket, id == null || id.isEmpty() ? null : id.get(0));
            WebSocket ws = (WebSocket) socket;
            long interval = ws.getPingInterval();
            long tuned = Bridge.tunedTimeout(socket, null, "nv-websocket.ping.interval", interval);
            if (tuned != interval) {
                ws.setPingInterval(Math.max(0, tuned));
            }
        }
    }

    /**
     * sendFrame(WebSocketFrame), which every sendBinary and sendText is: binary frames are the audio
     * path (a type check, a length and an identity lookup), text frames Deepgram's control messages.
     * A skipped frame is answered as nv-websocket answers a frame it ignores: the socket itself.
     */
    public static final class SendFrame {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) Object frame) {
            WebSocketFrame f = (WebSocketFrame) frame;
            if (f == null) {
                return false;
            }
            if (f.isBinaryFrame()) {
                return Bridge.binarySent(socket, f.getPayloadLength(), f);
            }
            return f.isTextFrame() && Bridge.textSent(socket, f.getPayloadText()) != BridgeHandler.SEND;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean skipped,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (skipped) {
                result = socket;
            }
        }
    }

    /**
     * disconnect(code, reason, closeDelay), which every disconnect overload is: the agent may defer it.
     * The close delay (how long to wait for the server's close frame) is tuned on Deepgram sockets.
     */
    public static final class Disconnect {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) int code, @Advice.Argument(1) String reason,
                             @Advice.Argument(value = 2, readOnly = false) long closeDelay) {
            WebSocketState state = ((WebSocket) socket).getState();
            if (state == WebSocketState.OPEN && Bridge.closeRequested(socket, code, reason, false)) {
                return true;
            }
            closeDelay = Bridge.tunedTimeout(socket, null, "nv-websocket.close.timeout", closeDelay);
            return false;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean deferred, @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (deferred) {
                result = socket;
            }
        }
    }

    /** sendClose(): a close frame without a code, for the agent a normal close. */
    public static final class SendClose {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket) {
            return Bridge.closeRequested(socket, 1000, null, ((WebSocket) socket).getState() != WebSocketState.OPEN);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean deferred, @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (deferred) {
                result = socket;
            }
        }
    }

    /** sendClose(code). */
    public static final class SendCloseCode {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) int code) {
            return Bridge.closeRequested(socket, code, null, ((WebSocket) socket).getState() != WebSocketState.OPEN);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean deferred, @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (deferred) {
                result = socket;
            }
        }
    }

    /** sendClose(code, reason). */
    public static final class SendCloseCodeReason {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) int code, @Advice.Argument(1) String reason) {
            return Bridge.closeRequested(socket, code, reason, ((WebSocket) socket).getState() != WebSocketState.OPEN);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean deferred, @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (deferred) {
                result = socket;
            }
        }
    }

    /** ListenerManager.callOnTextMessage(String): a whole text message, before the app's listeners. */
    public static final class ReadText {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("mWebSocket") Object socket, @Advice.Argument(0) String text) {
            Bridge.textReceived(socket, text);
        }
    }

    /** ListenerManager.callOnTextMessage(byte[]): the same, in the library's direct-text mode. */
    public static final class ReadTextBytes {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("mWebSocket") Object socket, @Advice.Argument(0) byte[] text) {
            if (text != null) {
                Bridge.textReceived(socket, new String(text, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    /** ListenerManager.callOnCloseFrame: the server's close frame. */
    public static final class ReadClose {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("mWebSocket") Object socket, @Advice.Argument(0) Object frame) {
            WebSocketFrame f = (WebSocketFrame) frame;
            String reason = f.getCloseReason();
            Bridge.closeReceived(socket, f.getCloseCode(), reason == null ? "" : reason);
        }
    }

    /**
     * ListenerManager.callOnError: I/O and protocol errors end the connection (the library closes it
     * itself after a message it could not assemble or decompress). A text message that is not UTF-8
     * is reported here as well but is not an end. Neither is a write error once the client's close is
     * under way: disconnect() schedules the socket's close after its close delay (at once for 0), which
     * can fail the writing thread's last write or flush; how the session ended is told by the reading
     * thread (a reset) or by callOnDisconnected (the server's close frame, or none).
     */
    public static final class Failure {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("mWebSocket") Object socket, @Advice.Argument(0) Object error) {
            WebSocketError kind = ((WebSocketException) error).getError();
            if (kind == WebSocketError.TEXT_MESSAGE_CONSTRUCTION_ERROR) {
                return;
            }
            if ((kind == WebSocketError.FLUSH_ERROR || kind == WebSocketError.IO_ERROR_IN_WRITING)
                    && ((WebSocket) socket).getState() != WebSocketState.OPEN) {
                return;
            }
            Bridge.failed(socket, (Throwable) error, 0, null);
        }
    }

    /**
     * ListenerManager.callOnDisconnected: the end. After a disconnect() the reading thread reads the
     * server's close frame without dispatching it (no callOnCloseFrame): it is reported here. When it
     * stopped waiting for it (it stops at the first other frame, and at once for a close delay of 0),
     * the client dropped the connection after its own close frame. Without either frame (and no error
     * before), the input ended.
     */
    public static final class Disconnected {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("mWebSocket") Object socket, @Advice.Argument(0) Object serverCloseFrame,
                          @Advice.Argument(1) Object clientCloseFrame, @Advice.Argument(2) boolean closedByServer) {
            if (serverCloseFrame == null && clientCloseFrame != null && !closedByServer) {
                Bridge.failed(socket, new ClosedAfterCloseFrame(), 0, null);
            } else if (serverCloseFrame == null) {
                Bridge.failed(socket, new EOFException("the connection ended without a close frame from the server"), 0, null);
            } else {
                WebSocketFrame f = (WebSocketFrame) serverCloseFrame;
                String reason = f.getCloseReason();
                Bridge.closeReceived(socket, f.getCloseCode(), reason == null ? "" : reason);
            }
        }
    }

    /**
     * ReadingThread.CloseTask.run(): disconnect's close delay passed without the server's close frame;
     * the library drops the connection now. The reading thread's socket is read by reflection: the
     * field is declared by a package-private class.
     */
    public static final class CloseDelayPassed {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("this$0") Object readingThread) throws Exception {
            java.lang.reflect.Field delay = readingThread.getClass().getDeclaredField("mCloseDelay");
            delay.setAccessible(true);
            if (delay.getLong(readingThread) <= 0) {
                return; // disconnect(..., 0): the app chose not to wait; the end is its close (see Disconnected)
            }
            Class<?> type = readingThread.getClass().getSuperclass(); // WebSocketThread
            java.lang.reflect.Field field = type.getDeclaredField("mWebSocket");
            field.setAccessible(true);
            Bridge.failed(field.get(readingThread),
                    new SocketTimeoutException("nv-websocket's close delay passed without the server's close frame"), 0, null);
        }
    }
}
