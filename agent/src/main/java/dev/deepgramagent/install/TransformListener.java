package dev.deepgramagent.install;

import dev.deepgramagent.errors.InternalErrors;
import dev.deepgramagent.logging.AgentLogging;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import org.slf4j.Logger;

/** Logs each instrumented type at debug; a failed type is logged once and counted, never thrown. */
final class TransformListener extends AgentBuilder.Listener.Adapter {

    private final Logger log = AgentLogging.logger("install");

    @Override
    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module, boolean loaded,
                                 DynamicType dynamicType) {
        log.debug("instrumented {} ({})", type.getName(), loaded ? "retransformed, it was loaded before the agent" : "at class load");
    }

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable throwable) {
        InternalErrors.record(InternalErrors.Kind.TRANSFORM, typeName, throwable);
    }
}
