package dev.deepgramagent.simulator;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * {@code /echo}: a WebSocket that is not Deepgram. Echoes text, records every frame, never times
 * out. Tests use it to show that the agent leaves other sockets alone.
 */
final class EchoSession extends SimpleChannelInboundHandler<WebSocketFrame> {

    private final SessionRecord record;

    EchoSession(SessionRecord record) {
        this.record = record;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            String text = ((TextWebSocketFrame) frame).text();
            record.control(text);
            ctx.writeAndFlush(new TextWebSocketFrame(text));
        } else if (frame instanceof BinaryWebSocketFrame) {
            record.audio(frame.content().readableBytes(), 0);
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
            record.ended(SessionRecord.EndedBy.CLIENT, close.statusCode(), close.reasonText());
            ctx.writeAndFlush(close.retainedDuplicate()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        record.ended(SessionRecord.EndedBy.NETWORK, 1006, "connection closed without a close frame");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
