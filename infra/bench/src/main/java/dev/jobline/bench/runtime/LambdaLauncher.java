package dev.jobline.bench.runtime;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of the cold-start benchmark: does what the Lambda Java runtime does for one cold invocation, and
 * nothing else. Loads the handler class, builds it with its no-arg constructor (the init phase), reads the event
 * with the serializer the runtime would pick, calls {@code handleRequest}, writes the response the same way and
 * prints it on one line, marked {@value #RESPONSE}. The parent times from starting this process to that line.
 *
 * <p>Arguments: handler class, event file, function name, timeout in seconds, memory in MB.
 */
public final class LambdaLauncher {
    public static final String RESPONSE = "JOBLINE-BENCH-RESPONSE ";
    public static final String PHASES = "JOBLINE-BENCH-PHASES ";

    private LambdaLauncher() {
    }

    public static void main(String[] args) throws Exception {
        long mainEntered = System.currentTimeMillis();
        long start = System.nanoTime();
        if (args.length != 5) {
            System.err.println("usage: LambdaLauncher <handler class> <event file> <function name> <timeout s> <memory MB>");
            System.exit(2);
        }
        ClassLoader loader = LambdaLauncher.class.getClassLoader();

        // init: what Lambda reports as Init Duration (class loading, static init, the constructor)
        Class<?> handlerClass = Class.forName(args[0], true, loader);
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler =
                (RequestHandler<Object, Object>) handlerClass.getDeclaredConstructor().newInstance();
        long initialised = System.nanoTime();

        // invoke: read the event, call the handler, write the response
        Type[] types = requestHandlerTypes(handlerClass);
        PojoSerializer<Object> input = serializerFor(types[0], loader);
        PojoSerializer<Object> output = serializerFor(types[1], loader);
        Object event;
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            event = input.fromJson(in);
        }
        Object response = handler.handleRequest(event,
                new LauncherContext(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4])));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        output.toJson(response, written);
        System.out.println(RESPONSE + written.toString(StandardCharsets.UTF_8).replace('\n', ' '));
        System.out.flush();
        long answered = System.nanoTime();

        // read only after the response, so the management classes cost nothing on the measured path
        long jvmStarted = ManagementFactory.getRuntimeMXBean().getStartTime();
        long classes = ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount();
        System.out.println(PHASES + "jvmToMainMillis=" + (mainEntered - jvmStarted)
                + " initMillis=" + (initialised - start) / 1_000_000.0
                + " invokeMillis=" + (answered - initialised) / 1_000_000.0
                + " classesLoaded=" + classes);
        System.out.flush();
        // a handler may leave non-daemon threads (SDK clients); Lambda freezes the process, we end it
        System.exit(0);
    }

    /**
     * The runtime's choice: Lambda's own serializers for the event types it knows
     * ({@link LambdaEventSerializers#isLambdaSupportedEvent}), plain Jackson for everything else.
     */
    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializerFor(Type type, ClassLoader loader) {
        if (type instanceof Class<?> clazz && LambdaEventSerializers.isLambdaSupportedEvent(clazz.getName())) {
            return LambdaEventSerializers.serializerFor((Class<Object>) clazz, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    /** The I and O of the handler's {@code RequestHandler<I, O>}, looked up the superclass chain. */
    private static Type[] requestHandlerTypes(Class<?> handlerClass) {
        for (Class<?> c = handlerClass; c != null; c = c.getSuperclass()) {
            for (Type implemented : c.getGenericInterfaces()) {
                if (implemented instanceof ParameterizedType parameterized
                        && parameterized.getRawType() == RequestHandler.class) {
                    return parameterized.getActualTypeArguments();
                }
            }
        }
        throw new IllegalArgumentException(handlerClass.getName() + " does not implement RequestHandler<I, O>");
    }
}
