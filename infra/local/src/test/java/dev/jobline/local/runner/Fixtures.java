package dev.jobline.local.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A template of test functions for the runner's emulation of API Gateway, SQS event sources and invoke. */
final class Fixtures {
    private static final String TEMPLATE = """
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Description: Test functions for the local runner's emulation of API Gateway, SQS event sources and invoke

            Globals:
              Function:
                Timeout: 5

            Resources:
              EchoFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.jobline.local.runner.EchoHttpHandler::handleRequest
                  Events:
                    GetThing:
                      Type: HttpApi
                      Properties: {Method: GET, Path: "/things/{id}"}
                    PostThing:
                      Type: HttpApi
                      Properties: {Method: POST, Path: /things}

              BatchFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.jobline.local.runner.ScriptedBatchHandler::handleRequest
                  Events:
                    Work:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt WorkQueue.Arn
                        BatchSize: 10
                        MaximumBatchingWindowInSeconds: 1
                        FunctionResponseTypes: [ReportBatchItemFailures]
                        # one poller, so that the messages sent together arrive as one batch
                        ScalingConfig: {MaximumConcurrency: 1}

              SlowFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.jobline.local.runner.SlowRecordHandler::handleRequest
                  Events:
                    Slow:
                      Type: SQS
                      Properties:
                        Queue: !GetAtt SlowQueue.Arn
                        BatchSize: 1
                        ScalingConfig: {MaximumConcurrency: 2}

              FailingFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: dev.jobline.local.runner.FailingHandler::handleRequest

              WorkQueue:
                Type: AWS::SQS::Queue
                Properties:
                  # failed records come back fast; still longer than the batching window, or a batch could
                  # receive a message twice
                  VisibilityTimeout: 3

              SlowQueue:
                Type: AWS::SQS::Queue
""";

    private Fixtures() {
    }

    /** Writes the template into {@code dir}; returns its path. */
    static Path template(Path dir) {
        try {
            return Files.writeString(dir.resolve("fixtures.yaml"), TEMPLATE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
