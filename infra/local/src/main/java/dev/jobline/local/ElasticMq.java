package dev.jobline.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.pattern.Patterns;
import org.elasticmq.StrictSQSLimits$;
import org.elasticmq.actor.QueueManagerActor;
import org.elasticmq.actor.queue.QueueEvent;
import org.elasticmq.persistence.sql.SqlQueuePersistenceActor;
import org.elasticmq.persistence.sql.SqlQueuePersistenceConfig;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.elasticmq.util.NowProvider;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import scala.Option;
import scala.collection.immutable.Nil$;
import scala.util.Either;
import scalikejdbc.ConnectionPool$;
import scalikejdbc.ConnectionPoolSettings;

/**
 * ElasticMQ (SQS) embedded in this JVM on 127.0.0.1: in memory, or, given a data directory, with every queue and
 * message (body, attributes, receive count, visibility) also written to an H2 database there and restored from it on
 * the next start. That is what the stand-alone elasticmq-server does with {@code messages-storage}: a
 * {@link SqlQueuePersistenceActor} listens to the queue manager's events and, on {@link QueueEvent.Restore}, recreates
 * the queues and their messages.
 *
 * <p>The actor system is ours, with Pekko's JVM shutdown hook off: whoever started ElasticMQ stops it, after the
 * invocations still using it have finished (a runner drains first on Ctrl-C).
 */
final class ElasticMq implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final Duration RESTORE_TIMEOUT = Duration.ofSeconds(60);
    /** ElasticMQ's SQL persistence keeps one connection pool per JVM (scalikejdbc's singleton): one database at once. */
    private static final AtomicReference<Path> DATABASE_IN_USE = new AtomicReference<>();

    private final ActorSystem system;
    private final SQSRestServer server;
    private final URI endpoint;
    private final Path database;

    private ElasticMq(ActorSystem system, SQSRestServer server, URI endpoint, Path database) {
        this.system = system;
        this.server = server;
        this.endpoint = endpoint;
        this.database = database;
    }

    /**
     * @param port    the port, or 0 for a free one
     * @param dataDir where the H2 database lives, or null to keep everything in memory
     */
    static ElasticMq start(int port, String region, String accountId, Path dataDir) {
        Path database = dataDir == null ? null : claimDatabase(dataDir);
        ActorSystem system = ActorSystem.create("elasticmq", actorSystemConfig());
        try {
            ActorRef persistence = database == null ? null : system.actorOf(Props.create(
                    SqlQueuePersistenceActor.class, persistenceConfig(database), Nil$.MODULE$));
            ActorRef queueManager = system.actorOf(Props.create(QueueManagerActor.class, new NowProvider(),
                    StrictSQSLimits$.MODULE$, Option.apply(persistence)));
            if (persistence != null) {
                // before the port opens: nobody may create a queue the database is about to restore
                restore(persistence, queueManager, database);
            }
            SQSRestServer server = SQSRestServerBuilder
                    .withActorSystem(system)
                    .withQueueManagerActor(queueManager)
                    .withInterface(HOST)
                    .withPort(port)
                    .withAWSRegion(region)
                    .withAWSAccountId(accountId)
                    .start();
            int boundPort = server.waitUntilStarted().localAddress().getPort();
            return new ElasticMq(system, server, URI.create("http://" + HOST + ":" + boundPort), database);
        } catch (RuntimeException e) {
            system.terminate();
            release(database);
            throw e;
        }
    }

    /** Pekko's defaults but its shutdown hook ({@code pekko.daemonic = on} would break message move tasks). */
    private static Config actorSystemConfig() {
        return ConfigFactory.parseString("""
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.jvm-shutdown-hooks = off
                """).withFallback(ConfigFactory.load(ElasticMq.class.getClassLoader()));
    }

    private static Path claimDatabase(Path dataDir) {
        Path database = dataDir.toAbsolutePath().normalize().resolve("elasticmq");
        if (!DATABASE_IN_USE.compareAndSet(null, database)) {
            throw new IllegalStateException("ElasticMQ already persists to " + DATABASE_IN_USE.get()
                    + " in this JVM; its SQL persistence allows one database per JVM");
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            DATABASE_IN_USE.set(null);
            throw new UncheckedIOException("cannot create ElasticMQ's data directory " + dataDir, e);
        }
        return database;
    }

    private static void release(Path database) {
        if (database != null) {
            closeConnectionPool();
            DATABASE_IN_USE.compareAndSet(database, null);
        }
    }

    private static SqlQueuePersistenceConfig persistenceConfig(Path database) {
        // DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook must not close the database under a draining runner
        String uri = "jdbc:h2:file:" + database + ";DB_CLOSE_ON_EXIT=FALSE";
        // the persistence code sets scalikejdbc's pool up once per JVM; (re)point it at this database each start
        ConnectionPool$ pools = ConnectionPool$.MODULE$;
        ConnectionPoolSettings settings = pools.singleton$default$4();
        pools.singleton(uri, "", "", settings, pools.singleton$default$5(uri, "", "", settings));
        return new SqlQueuePersistenceConfig(true, "org.h2.Driver", uri, "", "", false);
    }

    private static void restore(ActorRef persistence, ActorRef queueManager, Path database) {
        Object result;
        try {
            result = Patterns.ask(persistence, new QueueEvent.Restore(queueManager), RESTORE_TIMEOUT)
                    .toCompletableFuture().get(RESTORE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restoring ElasticMQ's queues from " + database, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot restore ElasticMQ's queues from " + database + ".mv.db: " + e, e);
        }
        if (result instanceof Either<?, ?> either && either.isLeft()) {
            throw new IllegalStateException("cannot restore ElasticMQ's queues from " + database + ".mv.db: "
                    + either.left().get());
        }
    }

    private static void closeConnectionPool() {
        try {
            ConnectionPool$.MODULE$.close(ConnectionPool$.MODULE$.DEFAULT_NAME());
        } catch (RuntimeException e) {
            // no pool, or already closed
        }
    }

    URI endpoint() {
        return endpoint;
    }

    /** The H2 database's path without its {@code .mv.db} suffix, or null in memory. */
    Path database() {
        return database;
    }

    /** Stops the HTTP server and the actors, then closes the database (H2 writes it out on its last connection). */
    @Override
    public void close() {
        try {
            server.stopAndWait();
        } finally {
            try {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // the actors did not stop in time; the database is closed anyway
            } finally {
                release(database);
            }
        }
    }
}
