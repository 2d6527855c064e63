package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.bridge.Bridge;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import reactor.netty.Connection;


/**
 * Advice inlined into Netty's {@code WebSocketClientHandshaker}, which every Netty-based WebSocket
 * client passes through (reactor-netty, Vert.x, plain Netty): the channel is the session's key.
 * Each piece only extracts values and calls {@link Bridge}; every one suppresses any Throwable.
 * Netty's types appear as Object in the signatures (the agent resolves advice without Netty);
 * casts resolve inside Netty's class, where the code runs.
 * Frames are seen by the agent's own channel handler, added once the handshake succeeded, so that
 * no other channel (and no frame codec) carries any agent code.
 */
public final class NettyHandshakeAdvice {

    private NettyHandshakeAdvice() {
    }

    /** handshake(Channel, ChannelPromise): the upgrade request is about to go out on this channel. */
    public static final class Started {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static void enter(@Advice.This Object handshaker, @Advice.Argument(0) Object channel,
                          @Advice.FieldValue("customHeaders") Object headers) {
            Bridge.socketCreated(channel, "netty", ((WebSocketClientHandshaker) handshaker).uri().toString(),
                    headers == null ? null : ((HttpHeaders) headers).get("x-deepgram-session-id"));
        }
    }

    /**
     * Vert.x's {@code WebSocketHandshakeInboundHandler.handshakeComplete(FullHttpResponse)}: Vert.x
     * rejects an answer other than 101 itself (UpgradeRejectedException, with the status), without
     * calling finishHandshake.
     */
    public static final class VertxRejected {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("chctx") Object context, @Advice.Argument(0) Object response,
                         @Advice.Thrown Throwable thrown) {
            FullHttpResponse r = (FullHttpResponse) response;
            if (thrown != null && r.status().code() != 101) {
                Bridge.failed(((ChannelHandlerContext) context).channel(), thrown, r.status().code(), r.headers().get("dg-error"));
            }
        }
    }

    /**
     * reactor-netty's {@code WebsocketClientOperations.sendClose(CloseWebSocketFrame)}, behind every
     * {@code WebsocketOutbound.sendClose(...)} (and so WebFlux's {@code WebSocketSession.close}). Its
     * Mono stops reading the inbound side and closes the connection once the frame is written, and
     * apps build it long before it runs ({@code send(audio).then(session.close())}): on a tracked
     * channel the agent answers a Mono that decides at subscription whether to run it at once or
     * when the agent carries the close out. (A frame already released means reactor-netty sent its
     * close before: nothing to decide.)
     */
    public static final class ReactorSendClose {
        @Advice.OnMethodExit(suppress = Throwable.class)
        static void exit(@Advice.This Object operations, @Advice.Argument(0) Object frame,
                         @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object result) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
            if (result != null && close.refCnt() > 0) {
                result = Bridge.closeIssued(((Connection) operations).channel(), close.statusCode(), close.reasonText(), frame, result);
            }
        }
    }

    /** finishHandshake(Channel, FullHttpResponse): 101 and valid, or a WebSocketClientHandshakeException. */
    public static final class Finished {
        @Advice.OnMethodExit(suppress = Throwable.class, onThrowable = Throwable.class)
        static void exit(@Advice.Argument(0) Object channel, @Advice.Argument(1) Object response,
                         @Advice.Thrown Throwable thrown) {
            FullHttpResponse r = (FullHttpResponse) response;
            if (thrown == null) {
                Bridge.socketOpened(channel, r.headers().get("dg-request-id"));
            } else {
                Bridge.failed(channel, thrown, r.status().code(), r.headers().get("dg-error"));
            }
        }
    }
}
