package dev.deepgramagent.instrumentation.jetty;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Jetty 12.1's WebSocket client ({@code org.eclipse.jetty.websocket.client}, jigasi's transcription
 * gateway among others). Its Jetty API sits on Jetty's WebSocket core, which is what is woven: the
 * upgrade request ({@code CoreClientUpgradeRequest}) and the session ({@code WebSocketCoreSession},
 * the key of a Deepgram session), plus the Jetty API's {@code disconnect()}. Jetty 12 is Java 17
 * bytecode: the advice ({@link JettyAdvice}) is compiled for 17 on its own and only ever inlined
 * into Jetty's classes; this module and {@link JettyControl} stay Java 11 and reach Jetty by
 * reflection. Woven when the classes load, not at build time.
 */
public final class JettyInstrumentation implements InstrumentationModule {

    static final String UPGRADE_REQUEST = "org.eclipse.jetty.websocket.core.client.CoreClientUpgradeRequest";
    static final String CORE_SESSION = "org.eclipse.jetty.websocket.core.WebSocketCoreSession";
    /** The Jetty API's session: its disconnect() is the app dropping the connection. */
    static final String API_SESSION = "org.eclipse.jetty.websocket.common.WebSocketSession";
    private static final String CALLBACK = "org.eclipse.jetty.util.Callback";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.jetty.JettyAdvice$";

    @Override
    public String library() {
        return "jetty";
    }

    @Override
    public List<String> typeNames() {
        return List.of(UPGRADE_REQUEST, CORE_SESSION, API_SESSION);
    }

    @Override
    public boolean available() {
        return Runtime.version().feature() >= 17; // Jetty 12 needs Java 17; its advice is Java 17 bytecode
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new JettyControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        AsmVisitorWrapper.ForDeclaredMethods advice = new AsmVisitorWrapper.ForDeclaredMethods();
        switch (typeName) {
            case UPGRADE_REQUEST:
                return advice
                        .invokable(isMethod().and(isPublic()).and(named("send")).and(takesArguments(1))
                                .and(takesArgument(0, named("org.eclipse.jetty.client.Response$CompleteListener"))),
                                AdviceLoader.advice(ADVICE + "Send"))
                        .invokable(isMethod().and(isPublic()).and(named("upgrade")).and(takesArguments(2)),
                                AdviceLoader.advice(ADVICE + "Upgraded"))
                        .invokable(isMethod().and(isPublic()).and(named("onComplete")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "Completed"));
            case CORE_SESSION:
                return advice
                        .invokable(isConstructor().and(takesArguments(4)), AdviceLoader.advice(ADVICE + "SessionCreated"))
                        .invokable(isMethod().and(named("setWebSocketConnection")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "IdleTimeout"))
                        .invokable(isMethod().and(named("sendFrame")).and(takesArguments(1))
                                .and(takesArgument(0, named("org.eclipse.jetty.websocket.core.OutgoingEntry"))),
                                AdviceLoader.advice(ADVICE + "SendFrame"))
                        // The app's closes (the Jetty API's close(...) reach these two); the library's own call close(CloseStatus, Callback).
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(3))
                                .and(takesArgument(0, int.class)).and(takesArgument(1, String.class))
                                .and(takesArgument(2, named(CALLBACK))), AdviceLoader.advice(ADVICE + "Close"))
                        .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(1))
                                .and(takesArgument(0, named(CALLBACK))), AdviceLoader.advice(ADVICE + "CloseNoCode"))
                        .invokable(isMethod().and(named("onFrame")).and(takesArguments(2)), AdviceLoader.advice(ADVICE + "ReadFrame"))
                        .invokable(isMethod().and(named("closeConnection")).and(takesArguments(2)),
                                AdviceLoader.advice(ADVICE + "Ended"));
            case API_SESSION:
                return advice.invokable(isMethod().and(isPublic()).and(named("disconnect")).and(takesArguments(0)),
                        AdviceLoader.advice(ADVICE + "Disconnect"));
            default:
                throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
    }
}
