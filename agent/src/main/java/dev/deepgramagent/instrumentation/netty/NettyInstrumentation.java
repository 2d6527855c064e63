package dev.deepgramagent.instrumentation.netty;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Netty 4.1 and 4.2 WebSocket clients, and with them reactor-netty (Spring WebFlux's
 * {@code ReactorNettyWebSocketClient}) and Vert.x: all build on Netty's
 * {@code WebSocketClientHandshaker}. Only its handshake is woven; on a Deepgram channel the agent
 * then adds its own handler to the pipeline ({@link DeepgramChannelHandler}). Netty's versions
 * are many: its classes are woven when they load, never at build time.
 */
public final class NettyInstrumentation implements InstrumentationModule {

    static final String HANDSHAKER = "io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker";
    /** reactor-netty's WebSocket client connection: its close is deferred before it stops reading. */
    static final String REACTOR_OPERATIONS = "reactor.netty.http.client.WebsocketClientOperations";
    /** Vert.x's handshake handler: it rejects a non-101 answer itself, without finishHandshake. */
    static final String VERTX_HANDSHAKE = "io.vertx.core.http.impl.WebSocketHandshakeInboundHandler";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.netty.NettyHandshakeAdvice$";

    @Override
    public String library() {
        return "netty";
    }

    @Override
    public List<String> typeNames() {
        return List.of(HANDSHAKER, REACTOR_OPERATIONS, VERTX_HANDSHAKE);
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new NettyControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        if (REACTOR_OPERATIONS.equals(typeName)) {
            return new AsmVisitorWrapper.ForDeclaredMethods()
                    .invokable(isMethod().and(named("sendClose")).and(takesArguments(1))
                            .and(takesArgument(0, named("io.netty.handler.codec.http.websocketx.CloseWebSocketFrame"))),
                            AdviceLoader.advice(ADVICE + "ReactorSendClose"));
        }
        if (VERTX_HANDSHAKE.equals(typeName)) {
            return new AsmVisitorWrapper.ForDeclaredMethods()
                    .invokable(isMethod().and(named("handshakeComplete")).and(takesArguments(1)),
                            AdviceLoader.advice(ADVICE + "VertxRejected"));
        }
        if (!HANDSHAKER.equals(typeName)) {
            throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .invokable(isMethod().and(named("handshake")).and(takesArguments(2))
                        .and(takesArgument(0, named("io.netty.channel.Channel"))), AdviceLoader.advice(ADVICE + "Started"))
                .invokable(isMethod().and(named("finishHandshake")).and(takesArguments(2))
                        .and(takesArgument(0, named("io.netty.channel.Channel"))), AdviceLoader.advice(ADVICE + "Finished"));
    }
}
