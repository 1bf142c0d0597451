/*
 * libgan — Generative Adversarial Nets (Goodfellow et al., 2014) in C11.
 *
 * One public header. Plain C with fixed-width types, no packed structs and
 * no #ifdef variants, so it can be bound from Python ctypes/cffi.
 *
 * Conventions
 * -----------
 * - Every function that can fail returns int: GAN_OK (0) on success, a
 *   negative GAN_E* code on failure. gan_error_last() then describes what
 *   was wrong with which argument or file.
 * - Handles are opaque: gan_x_create(gan_x **out, ...) / gan_x_free(x).
 *   Every free function accepts NULL. Output parameters come first.
 * - Arrays cross the API as (const float *x, size_t rows, size_t cols),
 *   row-major, owned by the caller. The library copies what it keeps and
 *   says so in the function's comment; it never keeps a caller's pointer
 *   unless documented.
 * - Options structs start with `unsigned int version`; initialise them with
 *   the GAN_X_OPTIONS_INIT macro or gan_x_options_init(). Unknown versions
 *   are rejected with GAN_EUNSUPPORTED. Fields are only ever added at the end.
 *
 * Threads
 * -------
 * - A handle is used by one thread at a time. Different handles may be used
 *   from different threads concurrently.
 * - A trained net may be read concurrently from several threads through
 *   the const functions (gan_net_forward and the getters) as long as no
 *   thread modifies it at the same time.
 * - The last-error message and the log callback are per thread.
 * - Only a gan_session runs work on threads of its own (its `threads`
 *   option); every other function, gan_net_train_forward, gan_net_backward,
 *   gan_optimizer_step and gan_update_d/g included, runs on the calling
 *   thread (the BLAS may use its own threads for matrix products).
 * - The library keeps no global mutable state: every random draw comes from
 *   a gan_rng handle the caller (or a handle the caller owns) provides.
 *
 * The library never prints, never calls exit() or abort().
 */
#ifndef GAN_H
#define GAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(GAN_SHARED_BUILD)
#define GAN_EXTERN __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define GAN_EXTERN __attribute__((visibility("default")))
#else
#define GAN_EXTERN
#endif

/* ------------------------------------------------------------------------
 * Version
 * ---------------------------------------------------------------------- */

#define GAN_VERSION_MAJOR 0
#define GAN_VERSION_MINOR 1
#define GAN_VERSION_PATCH 0
#define GAN_VERSION_STRING "0.1.0"
/* Single number for compile-time comparisons: major*10000 + minor*100 + patch. */
#define GAN_VERSION_NUMBER \
    (GAN_VERSION_MAJOR * 10000 + GAN_VERSION_MINOR * 100 + GAN_VERSION_PATCH)

/* ABI version: the number in the shared library's SONAME (libgan.so.N),
 * raised whenever a change breaks programs built against an older gan.h.
 * CMake takes the SOVERSION from this line. */
#define GAN_ABI_VERSION 0

/* Runtime version of the library actually linked. Any pointer may be NULL. */
GAN_EXTERN int gan_version(int *major, int *minor, int *patch);
/* Runtime version as "MAJOR.MINOR.PATCH"; static storage, never NULL. */
GAN_EXTERN const char *gan_version_string(void);
/* Name of the CBLAS backend the library was built with, and (OpenBLAS only)
 * the kernel core it runs, e.g. "OpenBLAS (SkylakeX)". Never NULL. */
GAN_EXTERN const char *gan_blas_info(void);
/* GAN_ABI_VERSION of the library actually linked. A program or binding that
 * loads libgan at run time (dlopen, Python ctypes) compares it with the
 * GAN_ABI_VERSION it was written for and refuses a mismatch. */
GAN_EXTERN int gan_abi_version(void);

/* ------------------------------------------------------------------------
 * Status codes and errors
 * ---------------------------------------------------------------------- */

typedef enum gan_status {
    GAN_OK = 0,
    GAN_EINVAL = -1,       /* invalid argument (NULL, zero size, out of range) */
    GAN_ENOMEM = -2,       /* out of memory */
    GAN_EIO = -3,          /* file could not be opened, read or written */
    GAN_EFORMAT = -4,      /* file or buffer is not in the expected format */
    GAN_ESHAPE = -5,       /* array or network shapes do not fit together */
    GAN_EDIVERGED = -6,    /* training produced NaN or Inf */
    GAN_ESTATE = -7,       /* call not valid in the handle's current state */
    GAN_EUNSUPPORTED = -8, /* unknown options version, kind or feature */
    GAN_EABORTED = -9      /* stopped by the user's callback */
} gan_status;

/* Short static description of a status code; never NULL. */
GAN_EXTERN const char *gan_strerror(int code);
/* Message describing the last error raised on the calling thread, naming
 * the argument or file at fault. Never NULL: "no error" when none. The
 * string stays valid until the next libgan call on this thread. */
GAN_EXTERN const char *gan_error_last(void);
/* Code of the last error raised on the calling thread (GAN_OK if none). */
GAN_EXTERN int gan_error_last_code(void);
/* Forget the calling thread's last error. */
GAN_EXTERN void gan_error_clear(void);

/* ------------------------------------------------------------------------
 * Logging: silent by default. The callback is per thread: it receives the
 * messages of libgan calls made on the thread that installed it.
 * ---------------------------------------------------------------------- */

typedef enum gan_log_level {
    GAN_LOG_ERROR = 0,
    GAN_LOG_WARN = 1,
    GAN_LOG_INFO = 2,
    GAN_LOG_DEBUG = 3
} gan_log_level;

typedef void (*gan_log_fn)(int level, const char *message, void *userdata);

/* Install (or with fn = NULL remove) the calling thread's log callback.
 * Messages above max_level are not delivered. */
GAN_EXTERN int gan_log_set_callback(gan_log_fn fn, void *userdata, int max_level);

/* ------------------------------------------------------------------------
 * Random numbers: xoshiro256** seeded through splitmix64. The same seed
 * gives the same stream on every machine (uniforms bit-exactly; normals
 * through the C library's log and sqrt, identical wherever those are
 * correctly rounded, as in glibc).
 * ---------------------------------------------------------------------- */

typedef struct gan_rng gan_rng;

#define GAN_RNG_STATE_WORDS 4

GAN_EXTERN int gan_rng_create(gan_rng **out, uint64_t seed);
GAN_EXTERN void gan_rng_free(gan_rng *rng);
/* Restart the stream from a seed. */
GAN_EXTERN int gan_rng_seed(gan_rng *rng, uint64_t seed);
/* n floats uniform in [lo, hi). Requires lo < hi, both finite. */
GAN_EXTERN int gan_rng_uniform(float *out, size_t n, gan_rng *rng, float lo, float hi);
/* n floats from N(mean, stddev^2). Requires stddev >= 0, both finite. */
GAN_EXTERN int gan_rng_normal(float *out, size_t n, gan_rng *rng, float mean, float stddev);
/* One integer uniform in [lo, hi] (inclusive), without modulo bias. */
GAN_EXTERN int gan_rng_int(int64_t *out, gan_rng *rng, int64_t lo, int64_t hi);
/* Raw 64-bit output. */
GAN_EXTERN int gan_rng_u64(uint64_t *out, gan_rng *rng);
/* Save / restore the full generator state. An all-zero state is invalid. */
GAN_EXTERN int gan_rng_get_state(uint64_t out[GAN_RNG_STATE_WORDS], const gan_rng *rng);
GAN_EXTERN int gan_rng_set_state(gan_rng *rng, const uint64_t state[GAN_RNG_STATE_WORDS]);

/* ------------------------------------------------------------------------
 * Networks: a stack of layers applied to rows of a batch.
 *
 * Parameter layout (the flat array of gan_net_get_params): layers in order;
 * for each dense or maxout layer its weights W (in_width x out_cols,
 * row-major, so y = x W + b) followed by its biases b (out_cols). For a
 * maxout layer out_cols = units * pieces and unit j is the max of
 * pre-activations j*pieces ... j*pieces + pieces - 1. Dropout layers have
 * no parameters.
 * ---------------------------------------------------------------------- */

typedef struct gan_net gan_net;

typedef enum gan_activation {
    GAN_ACT_IDENTITY = 0,
    GAN_ACT_RELU = 1,
    GAN_ACT_LEAKY_RELU = 2, /* slope 0.2 for x < 0 unless set otherwise */
    GAN_ACT_TANH = 3,
    GAN_ACT_SIGMOID = 4
} gan_activation;

typedef enum gan_layer_kind {
    GAN_LAYER_DENSE = 0,
    GAN_LAYER_MAXOUT = 1,
    GAN_LAYER_DROPOUT = 2
} gan_layer_kind;

typedef enum gan_init {
    GAN_INIT_UNIFORM = 0,        /* U(-scale, scale) */
    GAN_INIT_NORMAL = 1,         /* N(0, scale^2) */
    GAN_INIT_GLOROT_UNIFORM = 2, /* U(±sqrt(6/(fan_in+fan_out))), scale ignored */
    GAN_INIT_HE_NORMAL = 3       /* N(0, 2/fan_in), scale ignored */
} gan_init;

typedef struct gan_layer_info {
    uint32_t kind;       /* gan_layer_kind */
    uint32_t activation; /* gan_activation (dense only) */
    uint64_t in_width;
    uint64_t out_width;  /* width seen by the next layer */
    uint64_t units;      /* dense: out_width; maxout: units */
    uint64_t pieces;     /* maxout only, else 1 */
    float keep;          /* dropout only, else 1 */
    float leaky_slope;   /* leaky ReLU only */
    uint64_t param_offset; /* index of this layer's W in the flat array */
    uint64_t num_params;   /* W and b together */
} gan_layer_info;

GAN_EXTERN int gan_net_create(gan_net **out, size_t input_width);
GAN_EXTERN void gan_net_free(gan_net *net);
/* Append layers. Parameters start at zero until an init function runs. A
 * net has at most 4096 layers, and every width (input, units, units x
 * pieces) is below 2^32, the limits of the net file format. */
GAN_EXTERN int gan_net_add_dense(gan_net *net, size_t units, int activation);
GAN_EXTERN int gan_net_add_maxout(gan_net *net, size_t units, size_t pieces);
/* Inverted dropout: keeps a unit with probability keep (0 < keep <= 1) and
 * scales kept units by 1/keep during training; identity at inference. */
GAN_EXTERN int gan_net_add_dropout(gan_net *net, float keep);
/* Negative-side slope of a GAN_ACT_LEAKY_RELU dense layer. */
GAN_EXTERN int gan_net_set_leaky_slope(gan_net *net, size_t layer, float slope);

GAN_EXTERN size_t gan_net_input_width(const gan_net *net);
GAN_EXTERN size_t gan_net_output_width(const gan_net *net);
GAN_EXTERN size_t gan_net_num_layers(const gan_net *net);
GAN_EXTERN size_t gan_net_num_params(const gan_net *net);
GAN_EXTERN int gan_net_layer_info(gan_layer_info *out, const gan_net *net, size_t layer);

/* Initialise the weights of every dense and maxout layer; biases to zero. */
GAN_EXTERN int gan_net_init(gan_net *net, gan_rng *rng, int init, float scale);
/* Same for one layer (which must have parameters). */
GAN_EXTERN int gan_net_init_layer(gan_net *net, size_t layer, gan_rng *rng, int init, float scale);
/* Set a dense/maxout layer's biases (n = its out_cols). Copied. */
GAN_EXTERN int gan_net_set_bias(gan_net *net, size_t layer, const float *bias, size_t n);
/* Set the last layer's biases to logit(mean[j]) with mean clipped to
 * [1e-7, 1 - 1e-7]; the last layer must be dense with sigmoid activation
 * and n its width. This is the paper's generator output initialisation. */
GAN_EXTERN int gan_net_init_output_bias_from_mean(gan_net *net, const float *mean, size_t n);

GAN_EXTERN int gan_net_get_params(float *out, size_t n, const gan_net *net);
GAN_EXTERN int gan_net_set_params(gan_net *net, const float *params, size_t n);
/* Gradients of the last gan_net_backward, same layout as the parameters. */
GAN_EXTERN int gan_net_get_grads(float *out, size_t n, const gan_net *net);

/* Flags of gan_net_forward. */
#define GAN_FORWARD_LOGITS 1u /* skip the last layer's activation */

/* Inference: out (rows x out_cols) = net(x (rows x cols)); no dropout.
 * cols must equal the input width and out_cols the output width.
 * Thread-safe on a shared net: allocates its own scratch per call. */
GAN_EXTERN int gan_net_forward(float *out, size_t out_cols, const gan_net *net,
                               const float *x, size_t rows, size_t cols, unsigned flags);

/* Training forward: keeps every layer's activations for gan_net_backward.
 * Dropout draws fresh masks from rng (rng may be NULL only if the net has
 * no dropout layer). Workspaces grow to the largest batch seen and are
 * reused, so a steady batch size allocates nothing after the first call. */
GAN_EXTERN int gan_net_train_forward(gan_net *net, gan_rng *rng,
                                     const float *x, size_t rows, size_t cols);
/* Output (or, with GAN_FORWARD_LOGITS, the last layer's pre-activation) of
 * the last training forward; valid until the next training call. */
GAN_EXTERN int gan_net_train_output(const float **out, size_t *rows, size_t *cols,
                                    const gan_net *net, unsigned flags);

/* Flags of gan_net_backward. */
#define GAN_BACKWARD_LOGITS 1u     /* dy is the gradient w.r.t. the last
                                      layer's pre-activation (logits) */
#define GAN_BACKWARD_ACCUMULATE 2u /* add to the parameter gradients */
#define GAN_BACKWARD_NO_PARAMS 4u  /* input gradient only; parameter
                                      gradients are left untouched */

/* Backward through the last training forward. dy is rows x out_width;
 * dx (rows x in_width) receives the input gradient and may be NULL. */
GAN_EXTERN int gan_net_backward(float *dx, gan_net *net, const float *dy,
                                size_t rows, size_t cols, unsigned flags);

/* Save / load a net (architecture and parameters): versioned little-endian
 * binary with a checksum, written to a temporary file and renamed over
 * path so a crash never leaves a half-written file. Every save of libgan
 * (nets, checkpoints, PNG grids) works this way: the temporary file is
 * ".<name>.gan-tmp.XXXXXX" beside the destination, and the next successful
 * save of that destination removes those a killed save left behind. A path
 * that exists but is not a regular file (a FIFO, a device, a folder) is
 * refused with GAN_EIO and left alone; an empty path is GAN_EINVAL. A file
 * whose parameters hold NaN or Inf is refused on load (GAN_EFORMAT naming
 * the layer); so is a session checkpoint (gan_session_load). */
GAN_EXTERN int gan_net_save(const gan_net *net, const char *path);
GAN_EXTERN int gan_net_load(gan_net **out, const char *path);

/* ------------------------------------------------------------------------
 * Optimizers: bound to one net; a step reads the net's gradients and
 * updates its parameters.
 * ---------------------------------------------------------------------- */

typedef struct gan_optimizer gan_optimizer;

typedef enum gan_optimizer_kind {
    GAN_OPT_SGD = 0, /* classic momentum: v = mu v - lr g; theta += v */
    GAN_OPT_ADAM = 1
} gan_optimizer_kind;

typedef struct gan_optimizer_options {
    unsigned int version;
    uint32_t kind;             /* gan_optimizer_kind */
    float learning_rate;       /* > 0 */
    float lr_decay;            /* lr /= lr_decay after every step; >= 1 */
    float lr_min;              /* floor of the decayed lr; >= 0 */
    float momentum;            /* SGD: momentum at momentum_start_epoch, [0,1) */
    float momentum_final;      /* SGD: momentum from momentum_saturate_epoch on */
    uint32_t momentum_start_epoch;    /* 1-based epochs of the linear ramp */
    uint32_t momentum_saturate_epoch; /* >= momentum_start_epoch */
    float beta1;               /* Adam, [0,1) */
    float beta2;               /* Adam, [0,1) */
    float epsilon;             /* Adam, > 0 */
    float max_norm;            /* > 0: cap each unit's incoming weight norm; 0 off */
} gan_optimizer_options;

#define GAN_OPTIMIZER_OPTIONS_VERSION 1
#define GAN_OPTIMIZER_OPTIONS_INIT \
    { GAN_OPTIMIZER_OPTIONS_VERSION, GAN_OPT_SGD, 0.1f, 1.0f, 0.0f, 0.5f, 0.5f, \
      1, 1, 0.9f, 0.999f, 1e-8f, 0.0f }

GAN_EXTERN int gan_optimizer_options_init(gan_optimizer_options *opts, unsigned int version);
/* The net must outlive the optimizer. Options are copied. */
GAN_EXTERN int gan_optimizer_create(gan_optimizer **out, gan_net *net,
                                    const gan_optimizer_options *opts);
GAN_EXTERN void gan_optimizer_free(gan_optimizer *opt);
/* One update of the bound net from its current gradients. Returns
 * GAN_EDIVERGED if a gradient or an updated parameter is NaN or Inf (the
 * check is fused into the update loop; the update is still applied, and a
 * session then restores its last good state). */
GAN_EXTERN int gan_optimizer_step(gan_optimizer *opt);
/* Tell the momentum schedule the current (1-based) epoch. */
GAN_EXTERN int gan_optimizer_set_epoch(gan_optimizer *opt, uint64_t epoch);
GAN_EXTERN float gan_optimizer_learning_rate(const gan_optimizer *opt);
GAN_EXTERN float gan_optimizer_momentum(const gan_optimizer *opt);
GAN_EXTERN uint64_t gan_optimizer_steps(const gan_optimizer *opt);
/* Opaque, versioned, little-endian snapshot of the optimizer's state
 * (velocities or moments, step count, learning rate, epoch). set_state
 * rejects a blob for another kind or size, a damaged one, and one holding
 * NaN or Inf (GAN_EFORMAT / GAN_ESHAPE), leaving opt unchanged. */
GAN_EXTERN size_t gan_optimizer_state_size(const gan_optimizer *opt);
GAN_EXTERN int gan_optimizer_get_state(void *buf, size_t size, const gan_optimizer *opt);
GAN_EXTERN int gan_optimizer_set_state(gan_optimizer *opt, const void *buf, size_t size);

/* ------------------------------------------------------------------------
 * Datasets: rows x cols float32 in memory, optional int32 labels.
 * ---------------------------------------------------------------------- */

typedef struct gan_dataset gan_dataset;

/* Copies x. */
GAN_EXTERN int gan_dataset_create(gan_dataset **out, const float *x, size_t rows, size_t cols);
/* Load IDX images (idx3, unsigned bytes, scaled by 1/255 to [0,1], one row
 * per image) and optionally labels (idx1, labels_path may be NULL). Plain
 * files or gzip-compressed ones (detected from the content). */
GAN_EXTERN int gan_dataset_load_idx(gan_dataset **out, const char *images_path,
                                    const char *labels_path);
/* Rows [begin, begin + count) of src, sharing its storage (no copy). The
 * subset stays valid after src is freed. */
GAN_EXTERN int gan_dataset_subset(gan_dataset **out, const gan_dataset *src,
                                  size_t begin, size_t count);
GAN_EXTERN void gan_dataset_free(gan_dataset *ds);

GAN_EXTERN size_t gan_dataset_rows(const gan_dataset *ds);
GAN_EXTERN size_t gan_dataset_cols(const gan_dataset *ds);
/* Read-only view of the rows (rows x cols); valid while ds lives. */
GAN_EXTERN const float *gan_dataset_data(const gan_dataset *ds);
/* Read-only labels (rows), or NULL when the dataset has none. */
GAN_EXTERN const int32_t *gan_dataset_labels(const gan_dataset *ds);
/* out (cols) = mean of every column. */
GAN_EXTERN int gan_dataset_column_mean(float *out, size_t cols, const gan_dataset *ds);

/* Shuffled minibatches. Each epoch is a fresh permutation drawn from rng;
 * every row is returned exactly once per epoch. The last batch of an epoch
 * holds the remaining rows and may be smaller than batch (*rows_out tells);
 * the call after it starts the next epoch. out holds batch x cols floats;
 * labels_out (batch) may be NULL. */
GAN_EXTERN int gan_dataset_next_batch(float *out, int32_t *labels_out, size_t *rows_out,
                                      gan_dataset *ds, gan_rng *rng, size_t batch);
/* Completed epochs of gan_dataset_next_batch (0 before the first ends). */
GAN_EXTERN uint64_t gan_dataset_epoch(const gan_dataset *ds);
/* Forget the iteration position and epoch count. */
GAN_EXTERN int gan_dataset_rewind(gan_dataset *ds);

/* ------------------------------------------------------------------------
 * Loading your own data: a folder of PNG images, an NPY file (numpy's
 * format) or a CSV file of numbers, each into a new dataset, and value
 * ranges. Every loader reads regular files only (a FIFO, a device or a
 * folder where a file is expected is GAN_EIO), bounds every size it reads
 * by the file's length before allocating, and refuses anything it cannot
 * read exactly: GAN_EFORMAT with a message naming the file and what is
 * wrong (and for CSV the line and column), GAN_EIO when a file cannot be
 * opened or read, GAN_ENOMEM when memory runs out, GAN_EINVAL for a NULL
 * or empty path, GAN_EUNSUPPORTED for an unknown options version. Values
 * must be finite. On any error *out is NULL.
 * ---------------------------------------------------------------------- */

/* Value ranges of image data. */
typedef enum gan_range {
    GAN_RANGE_UNIT = 0,     /* [0, 1]: what the loaders return */
    GAN_RANGE_SYMMETRIC = 1 /* [-1, 1]: for a generator ending in tanh */
} gan_range;

/* Alpha channels of PNG images. */
typedef enum gan_png_alpha {
    GAN_PNG_ALPHA_DROP = 0, /* discard alpha; colour values kept as stored
                               (not blended with a background) */
    GAN_PNG_ALPHA_KEEP = 1  /* keep alpha as the last channel */
} gan_png_alpha;

typedef struct gan_png_dir_options {
    unsigned int version;
    uint32_t alpha;      /* gan_png_alpha */
    uint32_t labels;     /* nonzero: one subfolder per class, see below */
    uint32_t max_files;  /* refuse folders holding more images; 0 = 2^24 */
} gan_png_dir_options;

#define GAN_PNG_DIR_OPTIONS_VERSION 1
#define GAN_PNG_DIR_OPTIONS_INIT \
    { GAN_PNG_DIR_OPTIONS_VERSION, GAN_PNG_ALPHA_DROP, 0, 0 }

GAN_EXTERN int gan_png_dir_options_init(gan_png_dir_options *opts, unsigned int version);
/* Load every "*.png" file (name ending in .png, any case; names starting
 * with '.' and other files are skipped) of the folder path, one row per
 * image, in byte order of the file names (strcmp), so the row order never
 * depends on the file system.
 * - Decoded with libpng: grey, grey + alpha, RGB, RGBA and palette images,
 *   1 to 16 bits per sample. Palettes become RGB (RGBA with a transparency
 *   chunk), grey below 8 bits is expanded. Values are scaled to [0, 1]
 *   (by 1/255, or 1/65535 for 16-bit files); no gamma correction.
 * - Channels: grey 1, grey + alpha 2, RGB 3, RGBA 4 with
 *   GAN_PNG_ALPHA_KEEP; with GAN_PNG_ALPHA_DROP (the default) 1 or 3.
 * - Row layout: height x width x channels (HWC, as PNG stores pixels), so
 *   cols = h * w * c, the layout gan_png_write_grid_rgb draws.
 * - Every image must have the first image's height, width and channels
 *   (bit depth may differ): GAN_ESHAPE names the first file that differs.
 * - opts may be NULL (the defaults). With opts->labels, path holds one
 *   subfolder per class and the images are inside them; classes are the
 *   subfolder names in byte order, labelled 0, 1, ... (empty subfolders
 *   count as classes with no images, hidden ones are skipped); a PNG file
 *   directly in path is then GAN_EFORMAT. The names are not kept: list the
 *   subfolders in byte order to map labels back to them. Without labels,
 *   subfolders are skipped. An entry named like an image that is not a
 *   regular file (a folder, a FIFO) is GAN_EIO.
 * - A folder without images is GAN_EFORMAT. Each file may be at most
 *   256 MiB, each image at most 2^24 pixels a side. */
GAN_EXTERN int gan_dataset_load_png_dir(gan_dataset **out, const char *path,
                                        const gan_png_dir_options *opts);

/* Load an NPY file (format versions 1.0, 2.0 and 3.0) holding a C-order
 * array of dtype float32 ('<f4', '>f4'), float64 ('<f8', '>f8', converted
 * to the nearest float32; values beyond float32's range are GAN_EFORMAT)
 * or uint8 ('|u1', scaled by 1/255 to [0, 1] like the image loaders).
 * rows = the first dimension, cols = the product of the others (1 for a
 * 1-D array). Fortran-order arrays, object and structured arrays, other
 * dtypes, 0-d arrays, zero-sized dimensions, headers longer than 64 KiB,
 * data that is truncated or followed by extra bytes, and NaN or Inf values
 * are refused (GAN_EFORMAT naming the reason). */
GAN_EXTERN int gan_dataset_load_npy(gan_dataset **out, const char *path);

typedef struct gan_csv_options {
    unsigned int version;
    uint32_t header;       /* nonzero: the first line is a header, skipped */
    int32_t label_column;  /* 0-based column holding integer labels (stored
                              as the dataset's labels, not as a value);
                              -1: none */
    uint32_t delimiter;    /* the separator: ',' ';' '\t' '|' or ':' */
} gan_csv_options;

#define GAN_CSV_OPTIONS_VERSION 1
#define GAN_CSV_OPTIONS_INIT { GAN_CSV_OPTIONS_VERSION, 0, -1, ',' }

GAN_EXTERN int gan_csv_options_init(gan_csv_options *opts, unsigned int version);
/* Load a CSV file of numbers: one row per line, every line with the same
 * number of cells. opts may be NULL (no header, no label column, comma).
 * - A cell is a number strtof reads in full ("1", "-2.5e-3", "0x1p4"),
 *   with spaces or tabs around it allowed, parsed in the C locale whatever
 *   the program's locale; an empty cell, quotes, any other text, NaN, Inf
 *   and values beyond float32's range are GAN_EFORMAT naming the line and
 *   the column (both 1-based, counted in the file).
 * - Label cells must be integers in int32's range.
 * - Lines end in "\n" or "\r\n"; blank lines are skipped; a NUL byte
 *   anywhere is GAN_EFORMAT. Cells are at most 255 characters, files at
 *   most 4 GiB. A file with no data line is GAN_EFORMAT. */
GAN_EXTERN int gan_dataset_load_csv(gan_dataset **out, const char *path,
                                    const gan_csv_options *opts);

/* Map n values in place from one range to the other (gan_range): [0, 1]
 * to [-1, 1] is x -> 2x - 1, the reverse (x + 1) / 2; the same range
 * leaves x unchanged. Values outside the source range are mapped by the
 * same formula, not clamped. */
GAN_EXTERN int gan_scale(float *x, size_t n, int from, int to);
/* A new dataset holding src's rows (and labels) mapped as gan_scale does.
 * src is unchanged (datasets share storage with their subsets, so they are
 * never scaled in place). */
GAN_EXTERN int gan_dataset_scale(gan_dataset **out, const gan_dataset *src, int from, int to);

/* Toy distributions with known densities. */
typedef enum gan_toy_kind {
    GAN_TOY_GAUSSIAN_1D = 0, /* N(mean, std^2) in 1-D (the paper's Figure 1) */
    GAN_TOY_RING_2D = 1,     /* `modes` Gaussians evenly on a circle of radius */
    GAN_TOY_GRID_2D = 2      /* grid_side^2 Gaussians, centres spacing apart,
                                centred on the origin */
} gan_toy_kind;

typedef struct gan_toy_options {
    unsigned int version;
    uint32_t kind;      /* gan_toy_kind */
    float std;          /* std of each mode, > 0 */
    float mean;         /* GAUSSIAN_1D */
    float radius;       /* RING_2D */
    uint32_t modes;     /* RING_2D */
    uint32_t grid_side; /* GRID_2D */
    float spacing;      /* GRID_2D */
} gan_toy_options;

#define GAN_TOY_OPTIONS_VERSION 1
#define GAN_TOY_OPTIONS_INIT \
    { GAN_TOY_OPTIONS_VERSION, GAN_TOY_RING_2D, 0.02f, 0.0f, 2.0f, 8, 5, 2.0f }

GAN_EXTERN int gan_toy_options_init(gan_toy_options *opts, unsigned int version);
/* Width of the toy's points (1 or 2). */
GAN_EXTERN size_t gan_toy_width(const gan_toy_options *opts);
GAN_EXTERN size_t gan_toy_num_modes(const gan_toy_options *opts);
/* Centres of the modes: out holds num_modes x width floats. */
GAN_EXTERN int gan_toy_centers(float *out, size_t n, const gan_toy_options *opts);
/* rows samples into out (rows x width). */
GAN_EXTERN int gan_toy_sample(float *out, size_t rows, size_t cols,
                              const gan_toy_options *opts, gan_rng *rng);
/* Density of each row of x (rows x width) under the toy distribution. */
GAN_EXTERN int gan_toy_density(double *out, const gan_toy_options *opts,
                               const float *x, size_t rows, size_t cols);
/* Nearest mode of each row and its distance in units of std. Either output
 * may be NULL. */
GAN_EXTERN int gan_toy_assign(int32_t *mode_out, float *dist_std_out,
                              const gan_toy_options *opts,
                              const float *x, size_t rows, size_t cols);
/* A dataset of rows samples of a toy distribution. */
GAN_EXTERN int gan_dataset_create_toy(gan_dataset **out, const gan_toy_options *opts,
                                      size_t rows, gan_rng *rng);

/* ------------------------------------------------------------------------
 * Losses, from D's logits a (D = sigmoid(a)), computed with softplus so they
 * are finite for logits of any size.
 *   D loss    = w [ mean softplus(-a_real) + mean softplus(a_fake) ],
 *               w = 1/2 with GAN_LOSS_D_HALF (the original code), else 1
 *   G minimax = mean log(1 - D(G(z))) = -mean softplus(a_fake)  (minimised)
 *   G non-saturating = mean softplus(-a_fake) = -mean log D(G(z))
 * Gradients are with respect to the logits, for the mean over the rows.
 * ---------------------------------------------------------------------- */

typedef enum gan_g_loss {
    GAN_G_LOSS_NON_SATURATING = 0,
    GAN_G_LOSS_MINIMAX = 1
} gan_g_loss;

#define GAN_LOSS_D_HALF 1u

/* grad_real (n_real) and grad_fake (n_fake) may be NULL. */
GAN_EXTERN int gan_loss_d(double *loss, float *grad_real, float *grad_fake,
                          const float *logit_real, size_t n_real,
                          const float *logit_fake, size_t n_fake, unsigned flags);
/* grad (n) may be NULL. */
GAN_EXTERN int gan_loss_g(double *loss, float *grad, const float *logit_fake, size_t n,
                          int kind);

/* ------------------------------------------------------------------------
 * One discriminator step and one generator step, usable without a session
 * (a session runs the same code). With an SGD optimizer the gradient is
 * folded straight into the momentum velocity (one memory pass fewer), so
 * the net's gradient array (gan_net_get_grads) is not updated by these
 * steps; with Adam it is.
 * - Inputs holding NaN or Inf are refused with GAN_EINVAL naming the
 *   argument and the row.
 * - On any error but GAN_EDIVERGED the nets and optimizers are unchanged.
 *   GAN_EDIVERGED for non-finite logits also changes nothing; when the
 *   step itself turned a parameter NaN or Inf, the step was applied (a
 *   session rolls back; without one, keep your own copy to restore).
 * - stats (may be NULL) is written on GAN_OK only.
 * - Each call allocates and frees a gradient scratch (3 x rows floats, plus
 *   rows x G's output width for gan_update_g); a session reuses its own.
 * ---------------------------------------------------------------------- */

typedef struct gan_step_stats {
    double d_loss;  /* discriminator loss (NaN if no D step ran) */
    double g_loss;  /* generator loss (NaN if no G step ran) */
    double d_real;  /* mean D(x) over the real rows */
    double d_fake;  /* mean D(G(z)) over the fake rows */
} gan_step_stats;

/* Ascend D's objective on rows real and rows fake examples (rows x cols
 * each): one optimizer step of d_opt (bound to d). rng draws D's dropout
 * masks (may be NULL if D has no dropout). flags: GAN_LOSS_D_HALF. */
GAN_EXTERN int gan_update_d(gan_step_stats *stats, gan_net *d, gan_optimizer *d_opt,
                            gan_rng *rng, const float *real, const float *fake,
                            size_t rows, size_t cols, unsigned flags);
/* One generator step from noise z (rows x z_cols): G forward, D forward,
 * backpropagation through D into G (D's parameters and gradients are not
 * changed), one step of g_opt (bound to g). */
GAN_EXTERN int gan_update_g(gan_step_stats *stats, gan_net *g, gan_optimizer *g_opt,
                            gan_net *d, gan_rng *rng, const float *z,
                            size_t rows, size_t z_cols, int g_loss);

/* ------------------------------------------------------------------------
 * Training session: Algorithm 1 of the paper.
 * The session borrows g, d, both optimizers and the dataset: they must
 * outlive it and not be used elsewhere while it trains. It owns its RNG.
 * ---------------------------------------------------------------------- */

typedef struct gan_session gan_session;

typedef enum gan_noise_kind {
    GAN_NOISE_UNIFORM = 0, /* U(-noise_scale, noise_scale) per component */
    GAN_NOISE_NORMAL = 1   /* N(0, noise_scale^2) */
} gan_noise_kind;

typedef enum gan_update_order {
    GAN_ORDER_ALTERNATING = 0, /* k D steps, then a G step (Algorithm 1) */
    GAN_ORDER_SIMULTANEOUS = 1 /* D and G gradients from one minibatch, one
                                  update of each (the original code); k = 1 */
} gan_update_order;

typedef struct gan_session_options {
    unsigned int version;
    uint32_t batch_size;   /* m */
    uint32_t k;            /* D steps per G step */
    uint32_t g_loss;       /* gan_g_loss */
    uint32_t noise_kind;   /* gan_noise_kind */
    float noise_scale;     /* > 0 */
    uint32_t noise_width;  /* G's input width */
    uint64_t seed;
    uint32_t update_order; /* gan_update_order */
    uint32_t d_loss_half;  /* nonzero: the original code's 1/2 on D's loss */
    uint32_t threads;      /* threads for the element-wise loops around the
                              matrix products, the caller included; 0 = the
                              online CPUs, at most 4. Results do not depend
                              on it. (Matrix products use the BLAS's own
                              threads, e.g. OPENBLAS_NUM_THREADS.) */
} gan_session_options;

#define GAN_SESSION_OPTIONS_VERSION 1
#define GAN_SESSION_OPTIONS_INIT \
    { GAN_SESSION_OPTIONS_VERSION, 100, 1, GAN_G_LOSS_NON_SATURATING, \
      GAN_NOISE_UNIFORM, 1.0f, 100, 0, GAN_ORDER_ALTERNATING, 0, 0 }

typedef struct gan_stats {
    uint64_t iteration;   /* 1-based iteration just finished */
    uint64_t epoch;       /* 1-based epoch it belongs to */
    double d_loss;
    double g_loss;
    double d_real;        /* mean D(x) */
    double d_fake;        /* mean D(G(z)) */
    float learning_rate;  /* D optimizer's current learning rate */
    float momentum;       /* D optimizer's current momentum */
} gan_stats;

/* Return nonzero to stop training; the call then returns GAN_EABORTED.
 * stats points to the session's own storage and is valid only during the
 * call: copy what you keep. */
typedef int (*gan_progress_fn)(const gan_stats *stats, void *userdata);

GAN_EXTERN int gan_session_options_init(gan_session_options *opts, unsigned int version);
GAN_EXTERN int gan_session_create(gan_session **out, gan_net *g, gan_net *d,
                                  gan_optimizer *g_opt, gan_optimizer *d_opt,
                                  gan_dataset *data, const gan_session_options *opts);
GAN_EXTERN void gan_session_free(gan_session *s);
/* One iteration of Algorithm 1. stats may be NULL. All or nothing: on any
 * error the nets, optimizers, RNG, dataset position and counters are as
 * they were before the call, so a retry continues exactly as an
 * uninterrupted run would. Everything that can fail for a reason other
 * than divergence (shapes of the borrowed nets, workspace memory, the
 * rollback snapshot) is checked before anything changes. On GAN_EDIVERGED
 * (a NaN or Inf in a loss or a parameter) the state is restored: the
 * session keeps an in-memory snapshot every 500 iterations and replays the
 * good iterations after it, which training's determinism makes exact, and
 * the restore allocates nothing, so it cannot fail. */
GAN_EXTERN int gan_session_step(gan_stats *stats, gan_session *s);
/* iterations steps, calling progress (may be NULL) after each. */
GAN_EXTERN int gan_session_train(gan_session *s, uint64_t iterations,
                                 gan_progress_fn progress, void *userdata);
/* Train until `epochs` more epochs of the dataset have been completed.
 * GAN_EINVAL when the epoch count would overflow. */
GAN_EXTERN int gan_session_train_epochs(gan_session *s, uint64_t epochs,
                                        gan_progress_fn progress, void *userdata);
/* Ask a running (or the next) gan_session_train / gan_session_train_epochs
 * to stop: it finishes the iteration in progress and returns GAN_EABORTED
 * before starting another, with the session consistent (a following step,
 * train, save or sample works, and training on continues exactly as an
 * uninterrupted run would). The request stays pending until a train call
 * reports it, and that report clears it; a train call asked for 0
 * iterations or epochs reports a pending request too, so it can be used to
 * discard one. gan_session_step ignores requests.
 * Async-signal-safe and callable from any thread while another trains (it
 * only sets a lock-free atomic flag). It records no error message (that
 * would not be async-signal-safe): s == NULL returns GAN_EINVAL without
 * touching gan_error_last(). */
GAN_EXTERN int gan_session_interrupt(gan_session *s);
/* Iterations completed so far (0 for a new session). */
GAN_EXTERN uint64_t gan_session_iteration(const gan_session *s);
/* Epochs of the dataset completed so far (0 during the first epoch). */
GAN_EXTERN uint64_t gan_session_epoch(const gan_session *s);
/* Draw rows noise vectors (rows x noise_width) from the session's prior.
 * This uses the session's generator, so it shifts the training stream that
 * follows; for evaluation that must not touch training, draw z from a
 * gan_rng of your own and pass it to gan_session_sample. */
GAN_EXTERN int gan_session_noise(float *out, size_t rows, size_t cols, gan_session *s);
/* rows samples of G (rows x cols, cols = G's output width), from the given
 * noise z (rows x noise_width) or, when z is NULL, from fresh noise. */
GAN_EXTERN int gan_session_sample(float *out, size_t rows, size_t cols,
                                  gan_session *s, const float *z);
/* Whole training state (nets, optimizers, RNG, dataset position, counters,
 * options) in one checksummed file, written atomically. */
GAN_EXTERN int gan_session_save(const gan_session *s, const char *path);
/* Restore a checkpoint into a session built with the same architecture and
 * options; on any error the session is unchanged. */
GAN_EXTERN int gan_session_load(gan_session *s, const char *path);

/* ------------------------------------------------------------------------
 * Generators: a trained G together with its noise prior (kind, scale,
 * width) and its output scaling, so it can be sampled with nothing else.
 * A generator file is a container like every libgan file (magic
 * "GANGEN\0\1", format 1): the prior, then the net record of gan_net_save.
 * A generator is read-only once made: several threads may sample one
 * generator at the same time, each with its own gan_rng.
 * ---------------------------------------------------------------------- */

typedef struct gan_generator gan_generator;

/* What gan_generator_sample does to G's output. */
typedef enum gan_output_scaling {
    GAN_OUTPUT_IDENTITY = 0,         /* G's output as is */
    GAN_OUTPUT_SYMMETRIC_TO_UNIT = 1 /* [-1, 1] -> [0, 1]: (y + 1) / 2, for a
                                        tanh G trained on gan_dataset_scale'd
                                        data */
} gan_output_scaling;

typedef struct gan_generator_options {
    unsigned int version;
    uint32_t noise_kind;     /* gan_noise_kind */
    float noise_scale;       /* > 0, finite */
    uint32_t noise_width;    /* 0: the net's input width; else must equal it */
    uint32_t output_scaling; /* gan_output_scaling */
} gan_generator_options;

#define GAN_GENERATOR_OPTIONS_VERSION 1
#define GAN_GENERATOR_OPTIONS_INIT \
    { GAN_GENERATOR_OPTIONS_VERSION, GAN_NOISE_UNIFORM, 1.0f, 0, GAN_OUTPUT_IDENTITY }

GAN_EXTERN int gan_generator_options_init(gan_generator_options *opts, unsigned int version);
/* The prior of a session's options (noise kind, scale and width), identity
 * output scaling, into opts (a fresh GAN_GENERATOR_OPTIONS_VERSION struct). */
GAN_EXTERN int gan_generator_options_from_session(gan_generator_options *opts,
                                                  const gan_session_options *session);
/* A generator holding a copy of net (later changes to net do not reach it)
 * and the prior of opts (NULL: the defaults). GAN_EINVAL for a bad option
 * or a net holding NaN or Inf parameters, GAN_ESHAPE for a noise_width
 * other than the net's input width. */
GAN_EXTERN int gan_generator_create(gan_generator **out, const gan_net *net,
                                    const gan_generator_options *opts);
GAN_EXTERN void gan_generator_free(gan_generator *gen);
/* Save atomically like gan_net_save. */
GAN_EXTERN int gan_generator_save(const gan_generator *gen, const char *path);
/* Save net with the prior of opts (NULL: the defaults) without making a
 * handle: the usual last step of training. Checks as gan_generator_create. */
GAN_EXTERN int gan_generator_save_net(const gan_net *net, const gan_generator_options *opts,
                                      const char *path);
/* Load a generator file, or a plain net file of gan_net_save, which gets
 * the default prior: uniform noise in [-1, 1], noise width = the net's
 * input width, identity output scaling. Anything else is GAN_EFORMAT
 * (damaged files, unknown noise kinds or scalings, a noise width other
 * than the net's input width, trailing bytes, NaN or Inf parameters). */
GAN_EXTERN int gan_generator_load(gan_generator **out, const char *path);
/* The generator's net (borrowed: valid while gen lives; do not free). */
GAN_EXTERN const gan_net *gan_generator_net(const gan_generator *gen);
/* Its prior and output scaling (opts->version is set). */
GAN_EXTERN int gan_generator_get_options(gan_generator_options *opts, const gan_generator *gen);
/* Noise width (G's input width) and output width; 0 for NULL. */
GAN_EXTERN size_t gan_generator_noise_width(const gan_generator *gen);
GAN_EXTERN size_t gan_generator_output_width(const gan_generator *gen);
/* rows noise vectors (rows x cols, cols = the noise width) from the prior,
 * drawn from rng (owned by the caller). */
GAN_EXTERN int gan_generator_noise(float *out, size_t rows, size_t cols,
                                   const gan_generator *gen, gan_rng *rng);
/* out (rows x cols, cols = the output width) = the output scaling of
 * G(z), z being rows x z_cols (z_cols = the noise width). */
GAN_EXTERN int gan_generator_forward(float *out, size_t rows, size_t cols,
                                     const gan_generator *gen, const float *z, size_t z_cols);
/* rows samples: noise from rng through G and the output scaling. The same
 * rng state gives the same samples. Allocates its noise and scratch per
 * call (rows x (noise width + the widest layer) floats). */
GAN_EXTERN int gan_generator_sample(float *out, size_t rows, size_t cols,
                                    const gan_generator *gen, gan_rng *rng);

/* ------------------------------------------------------------------------
 * Parzen-window log-likelihood (the paper's Table 1 estimator).
 *   log p(x) = logmeanexp_i(-|x - mu_i|^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi))
 * ---------------------------------------------------------------------- */

typedef struct gan_parzen gan_parzen;

#define GAN_PARZEN_PAPER_GRID_SIZE 10

/* Copies the n x d samples. */
GAN_EXTERN int gan_parzen_create(gan_parzen **out, const float *samples, size_t n, size_t d);
GAN_EXTERN void gan_parzen_free(gan_parzen *p);
/* Rows of x per distance block (memory ~ block_rows x n floats). */
GAN_EXTERN int gan_parzen_set_block_rows(gan_parzen *p, size_t block_rows);
/* Per-row log-likelihoods (ll_out, rows; may be NULL), their mean and the
 * standard error std(ddof=0)/sqrt(rows) (either may be NULL). */
GAN_EXTERN int gan_parzen_log_likelihood(double *ll_out, double *mean, double *std_error,
                                         gan_parzen *p, const float *x,
                                         size_t rows, size_t cols, double sigma);
/* Mean log-likelihood of x for every sigma of the grid (mean_ll, n_sigmas;
 * may be NULL) from one pass over the distances; *best_sigma the best. */
GAN_EXTERN int gan_parzen_select_sigma(double *best_sigma, double *mean_ll,
                                       gan_parzen *p, const float *x, size_t rows,
                                       size_t cols, const double *sigmas, size_t n_sigmas);
/* Mean log-likelihood (mean, n_sigmas) and its standard error (std_error,
 * n_sigmas; may be NULL) of x for every sigma, from one pass over the
 * distances: the same numbers as one gan_parzen_log_likelihood call per
 * sigma, for one distance product instead of n_sigmas. */
GAN_EXTERN int gan_parzen_log_likelihood_sigmas(double *mean, double *std_error, gan_parzen *p,
                                                const float *x, size_t rows, size_t cols,
                                                const double *sigmas, size_t n_sigmas);
/* The paper's grid: n values logspace(-1, 0, n) (n = 10 in the paper). */
GAN_EXTERN int gan_parzen_paper_grid(double *out, size_t n);

/* ------------------------------------------------------------------------
 * Evaluation helpers
 * ---------------------------------------------------------------------- */

/* For each query row, the index of and squared distance to the nearest
 * reference row. Either output may be NULL. */
GAN_EXTERN int gan_nearest_neighbors(int64_t *index_out, float *dist_out,
                                     const float *queries, size_t q_rows, size_t cols,
                                     const float *ref, size_t ref_rows, size_t ref_cols);
/* Write a PNG grid of grid_rows x grid_cols grey h x w images (values in
 * [0,1], clamped) taken in row order from images. If last_column is not
 * NULL it holds grid_rows more images drawn as an extra, framed column
 * (the paper's nearest-training-example column). */
GAN_EXTERN int gan_png_write_grid(const char *path, const float *images,
                                  size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                                  const float *last_column);
/* The same for colour: images holds grid_rows x grid_cols RGB images of
 * h x w pixels, each laid out height x width x 3 (HWC: the three values
 * of a pixel side by side, as gan_dataset_load_png_dir returns them),
 * values in [0, 1], clamped. Written as an 8-bit RGB PNG; the background,
 * separators and frame are the same greys as gan_png_write_grid's. */
GAN_EXTERN int gan_png_write_grid_rgb(const char *path, const float *images,
                                      size_t grid_rows, size_t grid_cols, size_t h, size_t w,
                                      const float *last_column);
/* Linear interpolation: out holds (n_anchors - 1) * steps + 1 rows of width
 * cols; segment i goes from anchor i to anchor i+1 in steps steps. */
GAN_EXTERN int gan_interpolate(float *out, size_t out_rows, const float *anchors,
                               size_t n_anchors, size_t cols, size_t steps);

typedef struct gan_coverage {
    uint32_t modes_total;
    uint32_t modes_covered;     /* modes holding at least min_count samples
                                   within 3 std */
    double high_quality_share;  /* share of samples within 3 std of a mode */
} gan_coverage;

GAN_EXTERN int gan_toy_coverage(gan_coverage *out, const gan_toy_options *opts,
                                const float *samples, size_t rows, size_t cols,
                                size_t min_count);

#ifdef __cplusplus
}
#endif

#endif /* GAN_H */
