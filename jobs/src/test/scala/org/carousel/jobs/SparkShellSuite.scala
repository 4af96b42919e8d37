package org.carousel.jobs

import java.nio.file.{Files, Path}

import org.apache.spark.sql.SparkSession
import org.carousel.config.Settings
import org.carousel.jobs.eval.EvalJob
import org.carousel.jobs.generate.GenerateJob
import org.carousel.jobs.train.TrainJob
import org.carousel.prep.PrepJob
import org.carousel.spark.{SparkSessions, TestCorpus}
import org.scalatest.BeforeAndAfterAll
import org.scalatest.funsuite.AnyFunSuite

/** Carousel's public API driven from Scala, the way a spark-shell user would. */
class SparkShellSuite extends AnyFunSuite with BeforeAndAfterAll {
  private var spark: SparkSession = _
  private val work: Path = Files.createTempDirectory("carousel-scala")

  // A model configuration built in code, as in a notebook: defaults plus a few settings.
  private val settings: Settings = Seq[(String, Any)](
    "prep.window" -> 50, "prep.shards" -> 2,
    "model.cell" -> "gru", "model.layers" -> 1, "model.hidden" -> 48, "model.embedding" -> 16,
    "train.batch" -> 16, "train.tbptt" -> 50, "train.learning_rate" -> 0.01,
    "train.max_chars_per_epoch" -> 60000, "train.progress_interval_s" -> 60, "eval.lanes" -> 4,
    "spark.master" -> "local[2]"
  ).foldLeft(Settings.defaults()) { case (s, (k, v)) => s.`with`(k, v) }

  override def beforeAll(): Unit = {
    spark = SparkSessions.create(settings, "spark-shell")
  }

  override def afterAll(): Unit = {
    if (spark != null) spark.stop()
  }

  test("prep and train a small corpus, load the model, evaluate and generate") {
    val corpus = TestCorpus.europarlHead(Files.createDirectories(work.resolve("corpus")), 150)
    val data = work.resolve("data").toString
    val model = work.resolve("model").toString

    val prepped = PrepJob.run(spark, settings, corpus.toString, data, false)
    assert(prepped.path("vocabulary").path("size").asInt() > 20)

    val trained = TrainJob.run(spark, settings, data, model, false)
    assert(trained.path("model").path("cell").asText() == "gru")

    val loaded = ModelDir.open(model, spark.sparkContext.hadoopConfiguration)
    assert(loaded.network(false).numParams() == trained.path("model").path("parameters").asLong())

    val scored = EvalJob.run(spark, settings, model, data, null, false)
    assert(scored.path("bits_per_char").asDouble() < scored.path("unigram_entropy_bits").asDouble())

    val g = settings.`with`("generate.prime", "The ").`with`("generate.length", 60)
    val text = GenerateJob.generate(g, model)
    assert(text.codePointCount(0, text.length) == 60)
    assert(text == GenerateJob.generate(g, model))
  }
}
