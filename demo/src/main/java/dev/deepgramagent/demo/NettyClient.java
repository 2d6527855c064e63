package dev.deepgramagent.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;

import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The sample app on plain Netty, as Netty's own WebSocket client example builds it: an
 * HttpClientCodec, an aggregator and a handler that finishes the {@code WebSocketClientHandshaker13}
 * handshake, then frames written to the channel. On the server's close frame it answers with its
 * own and closes the channel, as Netty's {@code WebSocketClientProtocolHandler} does.
 */
public final class NettyClient implements SampleApp.Sender {

    private final EventLoopGroup group;
    private final Channel channel;

    private final Handler handler;

    private NettyClient(EventLoopGroup group, Channel channel, Handler handler) {
        this.group = group;
        this.channel = channel;
        this.handler = handler;
    }

    /** @return the connected sender, or null when the handshake failed (printed as FAILURE). */
    public static NettyClient connect(SampleApp.Options o, SampleApp.Messages messages, CountDownLatch ended) throws Exception {
        URI uri = URI.create(o.get("url"));
        HttpHeaders headers = new DefaultHttpHeaders().add("Authorization", "Token secret-test-key");
        if (o.get("session_id", null) != null) {
            headers.add("x-deepgram-session-id", o.get("session_id"));
        }
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(
                uri, WebSocketVersion.V13, null, false, headers, 1 << 20);
        EventLoopGroup group = new NioEventLoopGroup(1);
        Handler handler = new Handler(handshaker, messages, ended);
        Channel channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16), handler);
                    }
                })
                .connect(uri.getHost(), uri.getPort()).sync().channel();
        handshaker.handshake(channel);
        if (!handler.handshakeDone.await(10, TimeUnit.SECONDS) || !handshaker.isHandshakeComplete()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            return null;
        }
        return new NettyClient(group, channel, handler);
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(audio)));
        return channel.isActive();
    }

    @Override
    public boolean sendText(String text) {
        channel.writeAndFlush(new TextWebSocketFrame(text));
        return channel.isActive();
    }

    /** Netty's example: write the close frame, then wait for the server to close the connection. */
    @Override
    public boolean close() {
        handler.closeSent = true;
        try {
            return channel.writeAndFlush(new CloseWebSocketFrame(1000, "Client disconnecting")).await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void cancel() {
        channel.close();
    }

    @Override
    public void shutdown() {
        NettyLeakCheck.beforeExit();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static final class Handler extends SimpleChannelInboundHandler<Object> {
        private final WebSocketClientHandshaker handshaker;
        private final SampleApp.Messages messages;
        private final CountDownLatch ended;
        final CountDownLatch handshakeDone = new CountDownLatch(1);
        private int closeCode = 1006;
        volatile boolean closeSent;

        Handler(WebSocketClientHandshaker handshaker, SampleApp.Messages messages, CountDownLatch ended) {
            this.handshaker = handshaker;
            this.messages = messages;
            this.ended = ended;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!handshaker.isHandshakeComplete()) {
                FullHttpResponse response = (FullHttpResponse) msg;
                try {
                    handshaker.finishHandshake(ctx.channel(), response);
                    SampleApp.out("OPEN request_id=" + response.headers().get("dg-request-id"));
                } catch (WebSocketClientHandshakeException e) {
                    SampleApp.out("FAILURE " + e.getClass().getName() + " " + response.status().code());
                    ctx.close();
                }
                handshakeDone.countDown();
                return;
            }
            WebSocketFrame frame = (WebSocketFrame) msg;
            if (frame instanceof TextWebSocketFrame) {
                messages.received(((TextWebSocketFrame) frame).text());
            } else if (frame instanceof CloseWebSocketFrame) {
                CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
                closeCode = close.statusCode();
                SampleApp.out("CLOSING " + close.statusCode() + " " + close.reasonText());
                if (closeSent) {
                    ctx.close(); // the close handshake is complete
                } else {
                    closeSent = true;
                    ctx.channel().writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(f -> ctx.close());
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            SampleApp.out("CLOSED " + closeCode);
            handshakeDone.countDown();
            ended.countDown();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            SampleApp.out("FAILURE " + cause.getClass().getName() + " 0");
            ctx.close();
        }
    }
}
