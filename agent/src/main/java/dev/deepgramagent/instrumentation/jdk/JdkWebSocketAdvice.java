package dev.deepgramagent.instrumentation.jdk;

import dev.deepgramagent.bridge.Bridge;
import dev.deepgramagent.bridge.BridgeHandler;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Advice inlined into the JDK's WebSocket client ({@code jdk.internal.net.http.websocket}, module
 * java.net.http). Each piece only extracts values and calls {@link Bridge}; every one suppresses
 * any Throwable. The JDK's internal types appear as Object: the advice is compiled against the
 * public API only; casts resolve inside java.net.http, where the code runs.
 *
 * <p>A session is keyed first by the handshake ({@code OpeningHandshake}), then by the handshake's
 * transport factory, then by the {@code WebSocketImpl} built from it: the JDK creates the socket
 * object only once the handshake has succeeded.
 */
public final class JdkWebSocketAdvice {

    private JdkWebSocketAdvice() {
    }

    /** BuilderImpl's private constructor, as buildAsync copies the builder: the handshake's timeout. */
    public static final class ConnectTimeout {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.Argument(1) URI uri, @Advice.Argument(value = 6, readOnly = false) Duration timeout) {
            if (uri != null) {
                long app = timeout == null ? 0 : timeout.toMillis();
                long tuned = Bridge.tunedTimeout(null, uri.toString(), "jdk.connect.timeout", app);
                if (tuned != app) {
                    timeout = tuned > 0 ? Duration.ofMillis(tuned) : null;
                }
            }
        }
    }

    /** OpeningHandshake(BuilderImpl): the request (http(s) form of the URI, the app's headers) is built. */
    public static final class HandshakeCreated {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object handshake, @Advice.FieldValue("request") Object request) {
            HttpRequest r = (HttpRequest) request;
            Bridge.socketCreated(handshake, "jdk", r.uri().toString(), r.headers().firstValue("x-deepgram-session-id").orElse(null));
        }
    }

    /** OpeningHandshake.send(): connect failures surface only in this future. */
    public static final class HandshakeSent {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object handshake, @Advice.Return Object outcome) {
            Bridge.handshakeStarted(handshake, outcome);
        }
    }

    /** OpeningHandshake.handleResponse(HttpResponse): the upgrade's answer, accepted or not. */
    public static final class HandshakeAnswered {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.This Object handshake, @Advice.Argument(0) Object response,
                         @Advice.Return Object result, @Advice.Thrown Throwable thrown) throws Exception {
            HttpResponse<?> r = (HttpResponse<?>) response;
            if (thrown != null) {
                Bridge.failed(handshake, thrown, r.statusCode(), r.headers().firstValue("dg-error").orElse(null));
                return;
            }
            Bridge.socketOpened(handshake, r.headers().firstValue("dg-request-id").orElse(null));
            // Result.transport: package-private, read from this package. The WebSocketImpl is built from it.
            Bridge.socketRekeyed(handshake, result.getClass().getDeclaredField("transport").get(result));
        }
    }

    /** WebSocketImpl(uri, subprotocol, listener, transportFactory): JDK 11 to 17.0.1. */
    public static final class Built4 {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(3) Object transportFactory) {
            Bridge.socketRekeyed(transportFactory, socket);
        }
    }

    /** WebSocketImpl(uri, client, subprotocol, listener, transportFactory): later JDKs. */
    public static final class Built5 {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(4) Object transportFactory) {
            Bridge.socketRekeyed(transportFactory, socket);
        }
    }

    /**
     * sendBinary(ByteBuffer, boolean): the audio path. Allocation-free unless the agent must step in;
     * on a socket the agent does not track, one lookup and a null check.
     */
    public static final class SendBinary {
        @Advice.OnMethodEnter(skipOn = IOException.class, suppress = Throwable.class)
        static Object enter(@Advice.This Object socket, @Advice.Argument(0) ByteBuffer message) {
            return message == null ? null : Bridge.audioSent(socket, message.remaining(), message);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter Object token, @Advice.Argument(0) ByteBuffer message,
                         @Advice.Argument(1) boolean last,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (token instanceof IOException) {
                result = CompletableFuture.failedFuture((IOException) token); // dropped: the app closed already
            } else if (token != null) {
                result = Bridge.sendIssued(socket, token, result, message, BridgeHandler.SENT_BINARY, last);
            }
        }
    }

    /** sendText(CharSequence, boolean): a held message (Flux's CloseStream mid-turn) completes now, goes out later. */
    public static final class SendText {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static int enter(@Advice.This Object socket, @Advice.Argument(0) CharSequence message) {
            return message == null ? BridgeHandler.SEND : Bridge.textSent(socket, message.toString());
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter int verdict, @Advice.Argument(0) CharSequence message,
                         @Advice.Argument(1) boolean last,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (verdict == BridgeHandler.DROP) {
                result = CompletableFuture.failedFuture(new IOException("Output closed"));
            } else if (verdict == BridgeHandler.HOLD) {
                result = CompletableFuture.completedFuture((WebSocket) socket);
            } else {
                result = Bridge.sendIssued(socket, null, result, message, BridgeHandler.SENT_TEXT, last);
            }
        }
    }

    /** sendPing(ByteBuffer): the app pings itself (the agent's pings wait); refused only for an agent ping, then replayed. */
    public static final class SendPing {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(0) ByteBuffer message,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            result = Bridge.sendIssued(socket, null, result, message, BridgeHandler.SENT_PING, true);
        }
    }

    /** sendPong(ByteBuffer): as sendPing. */
    public static final class SendPong {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Argument(0) ByteBuffer message,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            result = Bridge.sendIssued(socket, null, result, message, BridgeHandler.SENT_PONG, true);
        }
    }

    /** sendClose(int, String): the agent may defer it; the app's future completes when the close is written. */
    public static final class Close {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
        static boolean enter(@Advice.This Object socket, @Advice.Argument(0) int code, @Advice.Argument(1) String reason) {
            return Bridge.closeRequested(socket, code, reason, ((WebSocket) socket).isOutputClosed());
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket, @Advice.Enter boolean deferred,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            if (deferred) {
                Object later = Bridge.deferredCloseResult(socket);
                result = later != null ? later : CompletableFuture.completedFuture((WebSocket) socket);
            }
        }
    }

    /** abort(): the JDK calls no listener, so the end is reported here. */
    public static final class Abort {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket) {
            Bridge.cancelRequested(socket);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object socket) {
            Bridge.failed(socket, new IOException("WebSocket aborted"), 0, null);
        }
    }

    /** signalError(Throwable): every failure after the handshake (I/O, protocol, the listener's own exceptions). */
    public static final class Failure {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object socket, @Advice.Argument(0) Throwable error) {
            Bridge.failed(socket, error, 0, null);
        }
    }

    /** SignallingMessageConsumer.onText: a text frame (or part of a message) read from the wire. */
    public static final class ReadText {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("this$0") Object socket, @Advice.Argument(0) CharSequence part,
                          @Advice.Argument(1) boolean last) {
            Bridge.textPartReceived(socket, part, last);
        }
    }

    /** SignallingMessageConsumer.onClose: the server's close frame. */
    public static final class ReadClose {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("this$0") Object socket, @Advice.Argument(0) int code,
                          @Advice.Argument(1) CharSequence reason) {
            Bridge.closeReceived(socket, code, reason == null ? "" : reason.toString());
        }
    }

    /** SignallingMessageConsumer.onComplete: the input ended without a close frame. */
    public static final class ReadEnd {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.FieldValue("this$0") Object socket) {
            Bridge.failed(socket, new EOFException("the connection ended without a close frame"), 0, null);
        }
    }
}
