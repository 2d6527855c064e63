package dev.deepgramagent.bench.apps;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

import java.util.concurrent.TimeUnit;

/**
 * The start-up benchmark's Netty app: starts a Netty HTTP server (the app's own Netty, no WebSocket
 * client and no Deepgram socket), reports its peak RSS and exits. With the agent, Netty loads but
 * the agent's Netty hooks never do.
 */
public final class NettyStartupApp {

    private NettyStartupApp() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 16));
                        }
                    })
                    .bind("127.0.0.1", 0).sync().channel();
            ProcStatus.report("bound", server.localAddress() != null ? 1 : 0);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
        }
        ProcStatus.report("peak_rss_kib", ProcStatus.peakRssKib());
    }
}
