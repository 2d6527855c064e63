package dev.deepgramagent.instrumentation.jakarta;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.nio.ByteBuffer;
import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Jakarta WebSocket clients on Tyrus 2 ({@code org.glassfish.tyrus}, the standalone client and what
 * GlassFish, Payara and WebLogic bundle), {@code library="jakarta"}. Woven: the client engine (the
 * handshake), the endpoint wrapper (Tyrus's dispatch to the app's endpoint, annotated or programmatic:
 * the session's creation, text, close), the session (the app's close) and the two remote endpoints
 * (the app's sends), plus the Grizzly transport's connect. Tyrus 1 ({@code javax.websocket}) shares the class names but is not tracked.
 * Woven when the classes load, not at build time.
 */
public final class JakartaInstrumentation implements InstrumentationModule {

    static final String ENGINE = "org.glassfish.tyrus.client.TyrusClientEngine";
    static final String WRAPPER = "org.glassfish.tyrus.core.TyrusEndpointWrapper";
    static final String SESSION = JakartaControl.SESSION;
    static final String BASIC = "org.glassfish.tyrus.core.TyrusRemoteEndpoint$Basic";
    static final String ASYNC = "org.glassfish.tyrus.core.TyrusRemoteEndpoint$Async";
    /** The standalone client's transport: where a connection that never came is seen. */
    static final String GRIZZLY = "org.glassfish.tyrus.container.grizzly.client.GrizzlyClientContainer";
    private static final String SOCKET = "org.glassfish.tyrus.core.TyrusWebSocket";
    private static final String SEND_HANDLER = "jakarta.websocket.SendHandler";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.jakarta.JakartaAdvice$";

    @Override
    public String library() {
        return "jakarta";
    }

    @Override
    public List<String> typeNames() {
        return List.of(ENGINE, WRAPPER, SESSION, BASIC, ASYNC, GRIZZLY);
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new JakartaControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        AsmVisitorWrapper.ForDeclaredMethods advice = new AsmVisitorWrapper.ForDeclaredMethods();
        switch (typeName) {
            case ENGINE:
                return advice
                        .invokable(isMethod().and(isPublic()).and(named("createUpgradeRequest")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "UpgradeRequested"))
                        .invokable(isMethod().and(isPublic()).and(named("processResponse")).and(takesArguments(3)),
                                AdviceLoader.advice(ADVICE + "Answered"))
                        .invokable(isMethod().and(isPublic()).and(named("processError")).and(takesArguments(Throwable.class)),
                                AdviceLoader.advice(ADVICE + "ConnectFailed"))
                        .invokable(isMethod().and(isPublic()).and(named("getTimeoutHandler")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "HandshakeTimedOut"));
            case WRAPPER:
                return advice
                        .invokable(isMethod().and(named("createSessionForRemoteEndpoint")).and(takesArguments(4)),
                                AdviceLoader.advice(ADVICE + "SessionCreated"))
                        .invokable(isMethod().and(named("onMessage")).and(takesArguments(2)).and(takesArgument(0, named(SOCKET)))
                                .and(takesArgument(1, String.class)), AdviceLoader.advice(ADVICE + "ReadText"))
                        .invokable(isMethod().and(named("onPartialMessage")).and(takesArguments(3)).and(takesArgument(0, named(SOCKET)))
                                .and(takesArgument(1, String.class)), AdviceLoader.advice(ADVICE + "ReadTextPart"))
                        .invokable(isMethod().and(named("onClose")).and(takesArguments(2)).and(takesArgument(0, named(SOCKET))),
                                AdviceLoader.advice(ADVICE + "Ended"));
            case SESSION:
                return advice
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "Close"))
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "CloseNormal"));
            case BASIC:
                return advice
                        // sendBinary(ByteBuffer) and its partial form sendBinary(ByteBuffer, boolean): audio either way.
                        .invokable(isMethod().and(isPublic()).and(named("sendBinary")).and(takesArgument(0, ByteBuffer.class)),
                                AdviceLoader.advice(ADVICE + "SendBinary"))
                        .invokable(isMethod().and(isPublic()).and(named("sendText")).and(takesArguments(String.class)),
                                AdviceLoader.advice(ADVICE + "SendText"));
            case ASYNC:
                return advice
                        .invokable(isMethod().and(isPublic()).and(named("sendBinary")).and(takesArguments(ByteBuffer.class)),
                                AdviceLoader.advice(ADVICE + "SendBinaryFuture"))
                        .invokable(isMethod().and(isPublic()).and(named("sendBinary")).and(takesArguments(2))
                                .and(takesArgument(0, ByteBuffer.class)).and(takesArgument(1, named(SEND_HANDLER))),
                                AdviceLoader.advice(ADVICE + "SendBinaryHandler"))
                        .invokable(isMethod().and(isPublic()).and(named("sendText")).and(takesArguments(String.class)),
                                AdviceLoader.advice(ADVICE + "SendTextFuture"))
                        .invokable(isMethod().and(isPublic()).and(named("sendText")).and(takesArguments(2))
                                .and(takesArgument(0, String.class)).and(takesArgument(1, named(SEND_HANDLER))),
                                AdviceLoader.advice(ADVICE + "SendTextHandler"));
            case GRIZZLY:
                return advice.invokable(isMethod().and(isPublic()).and(named("openClientSocket")).and(takesArguments(3)),
                        AdviceLoader.advice(ADVICE + "OpenFailed"));
            default:
                throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
    }
}
