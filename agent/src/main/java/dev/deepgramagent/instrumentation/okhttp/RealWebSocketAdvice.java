package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.bridge.Bridge;
import net.bytebuddy.asm.Advice;
import okhttp3.Response;
import okhttp3.WebSocket;
import okio.ByteString;

/**
 * Advice inlined into {@code okhttp3.internal.ws.RealWebSocket}. Each piece only extracts values and
 * calls {@link Bridge}; every one suppresses any Throwable. Parameters are JDK types (the agent's
 * loader cannot see OkHttp); casts in the bodies resolve in the app's loader, where the code runs.
 */
public final class RealWebSocketAdvice {

    private RealWebSocketAdvice() {
    }

    /** Every constructor: the socket, its URL and the official SDK's session header. */
    public static final class Created {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket) {
            okhttp3.Request request = ((WebSocket) socket).request();
            Bridge.socketCreated(socket, "okhttp", request.url().toString(), request.header("x-deepgram-session-id"));
        }
    }

    /** checkUpgradeSuccess (3.14), checkUpgradeSuccess$okhttp (4.x, 5.x): returned normally = open. */
    public static final class Opened {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(0) Object response, @Advice.Thrown Throwable thrown) {
            if (thrown == null) {
                Bridge.socketOpened(socket, ((Response) response).header("dg-request-id"));
            }
        }
    }

    /** send(ByteString): the audio path. Allocation-free: a size, the payload's reference and an identity lookup. */
    public static final class SendBinary {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) Object bytes) {
            return Bridge.binarySent(socket, ((ByteString) bytes).size(), bytes);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter boolean dropped, @Advice.Return(readOnly = false) boolean sent) {
            if (dropped) {
                sent = false; // what OkHttp answers after close()
            }
        }
    }

    /** send(String): a held message (Flux's CloseStream mid-turn) is accepted now and sent by the agent later. */
    public static final class SendText {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static int enter(@Advice.This Object socket, @Advice.Argument(0) String text) {
            return Bridge.textSent(socket, text);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter int verdict, @Advice.Return(readOnly = false) boolean sent) {
            if (verdict == dev.deepgramagent.bridge.BridgeHandler.DROP) {
                sent = false;
            } else if (verdict == dev.deepgramagent.bridge.BridgeHandler.HOLD) {
                sent = true;
            }
        }
    }

    /** close(int, String): the agent may defer it; the app still gets OkHttp's answer at once. */
    public static final class Close {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) int code, @Advice.Argument(1) String reason,
                             @Advice.FieldValue("enqueuedClose") boolean enqueuedClose, @Advice.FieldValue("failed") boolean failed) {
            return Bridge.closeRequested(socket, code, reason, enqueuedClose || failed);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.Enter boolean deferred, @Advice.Return(readOnly = false) boolean accepted) {
            if (deferred) {
                accepted = true; // OkHttp returns true for a close it accepted
            }
        }
    }

    /** cancel(). */
    public static final class Cancel {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket) {
            Bridge.cancelRequested(socket);
        }
    }

    /** onReadMessage(String): Deepgram's results, metadata and events, before the app's listener. */
    public static final class ReadText {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.Argument(0) String text) {
            Bridge.textReceived(socket, text);
        }
    }

    /** onReadClose(int, String): the server's close frame. */
    public static final class ReadClose {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.Argument(0) int code, @Advice.Argument(1) String reason) {
            Bridge.closeReceived(socket, code, reason);
        }
    }

    /** failWebSocket(Exception, Response[, boolean]): every failure, handshake rejections included. */
    public static final class Failure {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.Argument(0) Exception error, @Advice.Argument(1) Object response) {
            Bridge.failed(socket, error, response == null ? 0 : ((Response) response).code(),
                    response == null ? null : ((Response) response).header("dg-error"));
        }
    }

    /** Constructor (Request, WebSocketListener, Random, long pingIntervalMillis): OkHttp 3.14. */
    public static final class PingInterval3 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(0) Object request, @Advice.Argument(value = 3, readOnly = false) long pingIntervalMillis) {
            pingIntervalMillis = Bridge.tunedTimeout(null, ((okhttp3.Request) request).url().toString(), "okhttp.ping.interval", pingIntervalMillis);
        }
    }

    /** Constructor (TaskRunner, Request, WebSocketListener, Random, long pingIntervalMillis, ...): OkHttp 4.x, 5.x. */
    public static final class PingInterval4 {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(1) Object request, @Advice.Argument(value = 4, readOnly = false) long pingIntervalMillis) {
            pingIntervalMillis = Bridge.tunedTimeout(null, ((okhttp3.Request) request).url().toString(), "okhttp.ping.interval", pingIntervalMillis);
        }
    }

    /** close(int, String, long cancelAfterCloseMillis): how long to wait for the server's close. */
    public static final class CloseTimeout {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.Argument(value = 2, readOnly = false) long cancelAfterCloseMillis) {
            cancelAfterCloseMillis = Bridge.tunedTimeout(socket, null, "okhttp.close.timeout", cancelAfterCloseMillis);
        }
    }

    /** connect(OkHttpClient): the connect timeout of the handshake's call. */
    public static final class ConnectTimeout {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket,
                          @Advice.Argument(value = 0, readOnly = false, typing = net.bytebuddy.implementation.bytecode.assign.Assigner.Typing.DYNAMIC) Object client) {
            okhttp3.OkHttpClient c = (okhttp3.OkHttpClient) client;
            long current = c.connectTimeoutMillis();
            long tuned = Bridge.tunedTimeout(socket, null, "okhttp.connect.timeout", current);
            if (tuned != current) {
                client = c.newBuilder().connectTimeout(tuned, java.util.concurrent.TimeUnit.MILLISECONDS).build();
            }
        }
    }
}
