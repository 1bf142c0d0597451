/* Rows of the misuse table (included twice by test_misuse.c, see there).
 *
 * R(function, "case", expected status, text the message must hold or NULL,
 *   known defect or NULL, body)
 *
 * The body prepares with SETUP(...) and makes the call under test with
 * CALL(status expression) or, for functions that return something other
 * than a status, CALLV(statement). PATH(id) names one of the prepared files
 * (see make_files) and tells the harness the message may name it instead
 * of the function. f is the fixture: G (4 -> 8 relu -> 6 sigmoid), D (6 ->
 * maxout 4x2 -> dropout -> 5 leaky -> 1), their SGD optimizers, a 10 x 6
 * dataset, a session over them (batch 4), a Parzen estimator, toy options.
 *
 * known_defect labels are issue numbers of defects not yet fixed (N<k>
 * for defects found by this table and not yet in an issue). None is open
 * now; a row that fails for a known reason while its fix is under way
 * carries one, and the harness fails once such a row passes, so the label
 * gets removed. */

/* ---- version and status ------------------------------------------------ */
R(gan_version, "all outputs NULL", GAN_OK, NULL, NULL, return CALL(gan_version(NULL, NULL, NULL));)
R(gan_version_string, "matches the header", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(strcmp(gan_version_string(), GAN_VERSION_STRING) != 0, "differs from GAN_VERSION_STRING"));)
R(gan_blas_info, "never NULL or empty", GAN_OK, NULL, NULL,
  CALLV(const char *b = gan_blas_info(); NOTE_IF(b == NULL || b[0] == '\0', "empty BLAS info"));)
R(gan_abi_version, "matches the header", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(gan_abi_version() != GAN_ABI_VERSION, "differs from GAN_ABI_VERSION"));)
R(gan_strerror, "unknown code", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(strcmp(gan_strerror(12345), "unknown status code") != 0, "12345 not unknown"));)
R(gan_strerror, "INT_MIN and a positive code", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(gan_strerror(INT_MIN) == NULL || gan_strerror(1) == NULL, "NULL description"));)
R(gan_error_last, "no error after clear", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(strcmp(gan_error_last(), "no error") != 0, "not \"no error\" after clear"));)
R(gan_error_last_code, "0 after clear", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(gan_error_last_code() != GAN_OK, "not GAN_OK after clear"));)
R(gan_error_last_code, "equals a failing call's status", GAN_OK, NULL, NULL,
  CALLV(int rc = gan_rng_create(NULL, 1);
        NOTE_IF(rc != GAN_EINVAL || gan_error_last_code() != rc, "differs from the return"); gan_error_clear());)
R(gan_error_clear, "forgets a pending error", GAN_OK, NULL, NULL,
  CALLV((void)gan_rng_create(NULL, 1); gan_error_clear();
        NOTE_IF(gan_error_last_code() != GAN_OK || strcmp(gan_error_last(), "no error") != 0, "still set"));)
R(gan_log_set_callback, "max_level -1", GAN_EINVAL, "max_level", NULL,
  int n = 0; return CALL(gan_log_set_callback(count_log, &n, -1));)
R(gan_log_set_callback, "max_level above DEBUG", GAN_EINVAL, "max_level", NULL,
  int n = 0; return CALL(gan_log_set_callback(count_log, &n, GAN_LOG_DEBUG + 1));)
R(gan_log_set_callback, "max_level INT_MAX", GAN_EINVAL, "max_level", NULL,
  int n = 0; return CALL(gan_log_set_callback(count_log, &n, INT_MAX));)
R(gan_log_set_callback, "removal ignores the level", GAN_OK, NULL, NULL,
  return CALL(gan_log_set_callback(NULL, NULL, -5));)
R(gan_log_set_callback, "a rejected callback is not installed", GAN_OK, NULL, NULL,
  CALLV(int n = 0; (void)gan_log_set_callback(count_log, &n, 99); (void)gan_rng_create(NULL, 1);
        gan_error_clear(); NOTE_IF(n != 0, "the rejected callback received messages"));)

/* ---- rng ------------------------------------------------------------------ */
R(gan_rng_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_create(NULL, 7));)
R(gan_rng_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_rng_free(NULL));)
R(gan_rng_seed, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_seed(NULL, 7));)
R(gan_rng_uniform, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_uniform(f->out, 4, NULL, 0, 1));)
R(gan_rng_uniform, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_uniform(NULL, 4, f->rng, 0, 1));)
R(gan_rng_uniform, "lo == hi", GAN_EINVAL, "lo", NULL, return CALL(gan_rng_uniform(f->out, 4, f->rng, 1, 1));)
R(gan_rng_uniform, "lo > hi", GAN_EINVAL, "lo", NULL, return CALL(gan_rng_uniform(f->out, 4, f->rng, 2, 1));)
R(gan_rng_uniform, "lo NaN", GAN_EINVAL, "lo", NULL, return CALL(gan_rng_uniform(f->out, 4, f->rng, NAN, 1));)
R(gan_rng_uniform, "hi Inf", GAN_EINVAL, "hi", NULL, return CALL(gan_rng_uniform(f->out, 4, f->rng, 0, INFINITY));)
R(gan_rng_uniform, "span overflows", GAN_EINVAL, "overflow", NULL,
  return CALL(gan_rng_uniform(f->out, 4, f->rng, -FLT_MAX, FLT_MAX));)
R(gan_rng_uniform, "n 0, out NULL", GAN_OK, NULL, NULL, return CALL(gan_rng_uniform(NULL, 0, f->rng, 0, 1));)
R(gan_rng_normal, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_normal(f->out, 4, NULL, 0, 1));)
R(gan_rng_normal, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_normal(NULL, 4, f->rng, 0, 1));)
R(gan_rng_normal, "stddev negative", GAN_EINVAL, "stddev", NULL, return CALL(gan_rng_normal(f->out, 4, f->rng, 0, -1));)
R(gan_rng_normal, "stddev Inf", GAN_EINVAL, "stddev", NULL, return CALL(gan_rng_normal(f->out, 4, f->rng, 0, INFINITY));)
R(gan_rng_normal, "mean NaN", GAN_EINVAL, "mean", NULL, return CALL(gan_rng_normal(f->out, 4, f->rng, NAN, 1));)
R(gan_rng_normal, "draws beyond float range", GAN_EINVAL, "float range", NULL,
  return CALL(gan_rng_normal(f->out, 4, f->rng, 0, FLT_MAX / 2));)
R(gan_rng_int, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_int(NULL, f->rng, 0, 9));)
R(gan_rng_int, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_int(f->iout, NULL, 0, 9));)
R(gan_rng_int, "lo > hi", GAN_EINVAL, "lo", NULL, return CALL(gan_rng_int(f->iout, f->rng, 9, 0));)
R(gan_rng_int, "INT64_MIN > INT64_MIN - ... (lo = max, hi = min)", GAN_EINVAL, "lo", NULL,
  return CALL(gan_rng_int(f->iout, f->rng, INT64_MAX, INT64_MIN));)
R(gan_rng_int, "full int64 range is fine", GAN_OK, NULL, NULL,
  return CALL(gan_rng_int(f->iout, f->rng, INT64_MIN, INT64_MAX));)
R(gan_rng_u64, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_u64(NULL, f->rng));)
R(gan_rng_u64, "rng NULL", GAN_EINVAL, "rng", NULL, uint64_t u; return CALL(gan_rng_u64(&u, NULL));)
R(gan_rng_get_state, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_rng_get_state(NULL, f->rng));)
R(gan_rng_get_state, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_get_state(f->st, NULL));)
R(gan_rng_set_state, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_rng_set_state(NULL, f->st));)
R(gan_rng_set_state, "state NULL", GAN_EINVAL, "state", NULL, return CALL(gan_rng_set_state(f->rng, NULL));)
R(gan_rng_set_state, "all-zero state", GAN_EINVAL, "zero", NULL,
  memset(f->st, 0, sizeof f->st); return CALL(gan_rng_set_state(f->rng, f->st));)

/* ---- net: construction ---------------------------------------------------- */
R(gan_net_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_create(NULL, 4));)
R(gan_net_create, "input_width 0", GAN_EINVAL, "input_width", NULL,
  gan_net *n = NULL; int rc = CALL(gan_net_create(&n, 0)); NOTE_IF(n != NULL, "*out set"); gan_net_free(n); return rc;)
R(gan_net_create, "input_width 2^32", GAN_EINVAL, "input_width", NULL,
  gan_net *n = NULL; int rc = CALL(gan_net_create(&n, (size_t)UINT32_MAX + 1)); gan_net_free(n); return rc;)
R(gan_net_create, "input_width SIZE_MAX", GAN_EINVAL, "input_width", NULL,
  gan_net *n = NULL; int rc = CALL(gan_net_create(&n, SIZE_MAX)); gan_net_free(n); return rc;)
R(gan_net_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_net_free(NULL));)
R(gan_net_add_dense, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_dense(NULL, 3, 0));)
R(gan_net_add_dense, "units 0", GAN_EINVAL, "units", NULL, return CALL(gan_net_add_dense(f->g, 0, 0));)
R(gan_net_add_dense, "units 2^32", GAN_EINVAL, "units", NULL, return CALL(gan_net_add_dense(f->g, (size_t)UINT32_MAX + 1, 0));)
R(gan_net_add_dense, "units SIZE_MAX", GAN_EINVAL, "units", NULL, return CALL(gan_net_add_dense(f->g, SIZE_MAX, 0));)
R(gan_net_add_dense, "activation -1", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_dense(f->g, 3, -1));)
R(gan_net_add_dense, "activation 5", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_dense(f->g, 3, 5));)
R(gan_net_add_dense, "activation INT_MIN", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_dense(f->g, 3, INT_MIN));)
R(gan_net_add_dense, "weights overflow size_t", GAN_EINVAL, NULL, NULL,
  gan_net *n; SETUP(gan_net_create(&n, UINT32_MAX));
  int rc = CALL(gan_net_add_dense(n, UINT32_MAX, 0)); gan_net_free(n); return rc;)
R(gan_net_add_dense, "layer 4097", GAN_EINVAL, "4096", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 2));
  for (int i = 0; i < 4096; i++) SETUP(gan_net_add_dropout(n, 1.0f));
  int rc = CALL(gan_net_add_dense(n, 2, 0)); gan_net_free(n); return rc;)
R(gan_net_add_maxout, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_maxout(NULL, 3, 2));)
R(gan_net_add_maxout, "units 0", GAN_EINVAL, "units", NULL, return CALL(gan_net_add_maxout(f->g, 0, 2));)
R(gan_net_add_maxout, "pieces 0", GAN_EINVAL, "pieces", NULL, return CALL(gan_net_add_maxout(f->g, 3, 0));)
R(gan_net_add_maxout, "pieces 2^32", GAN_EINVAL, "pieces", NULL, return CALL(gan_net_add_maxout(f->g, 3, (size_t)UINT32_MAX + 1));)
R(gan_net_add_maxout, "units SIZE_MAX", GAN_EINVAL, "units", NULL, return CALL(gan_net_add_maxout(f->g, SIZE_MAX, 2));)
R(gan_net_add_maxout, "units x pieces >= 2^32", GAN_EINVAL, "units * pieces", NULL,
  return CALL(gan_net_add_maxout(f->g, 65536, 65536));)
R(gan_net_add_maxout, "units x pieces overflows size_t", GAN_EINVAL, NULL, NULL,
  return CALL(gan_net_add_maxout(f->g, (size_t)1 << 33, (size_t)1 << 33));)
R(gan_net_add_dropout, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_dropout(NULL, 0.5f));)
R(gan_net_add_dropout, "keep 0", GAN_EINVAL, "keep", NULL, return CALL(gan_net_add_dropout(f->g, 0.0f));)
R(gan_net_add_dropout, "keep negative", GAN_EINVAL, "keep", NULL, return CALL(gan_net_add_dropout(f->g, -0.5f));)
R(gan_net_add_dropout, "keep above 1", GAN_EINVAL, "keep", NULL, return CALL(gan_net_add_dropout(f->g, 1.5f));)
R(gan_net_add_dropout, "keep NaN", GAN_EINVAL, "keep", NULL, return CALL(gan_net_add_dropout(f->g, NAN));)
R(gan_net_add_dropout, "keep Inf", GAN_EINVAL, "keep", NULL, return CALL(gan_net_add_dropout(f->g, INFINITY));)
#define IMG_NET gan_net *n; SETUP(gan_net_create(&n, 50)); SETUP(gan_net_add_reshape(n, 2, 5, 5));
#define IMG_CALL(expr) int rc = CALL(expr); gan_net_free(n); return rc;
R(gan_net_add_reshape, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_reshape(NULL, 1, 2, 3));)
R(gan_net_add_reshape, "channels 0", GAN_EINVAL, "channels", NULL, return CALL(gan_net_add_reshape(f->g, 0, 2, 3));)
R(gan_net_add_reshape, "width 2^32", GAN_EINVAL, "width", NULL, return CALL(gan_net_add_reshape(f->g, 1, 1, (size_t)UINT32_MAX + 1));)
R(gan_net_add_reshape, "product differs from the width", GAN_ESHAPE, "2 x 2 x 2 differs from the current output width 6", NULL,
  return CALL(gan_net_add_reshape(f->g, 2, 2, 2));)
R(gan_net_add_reshape, "product overflows", GAN_ESHAPE, "differs", NULL,
  return CALL(gan_net_add_reshape(f->g, UINT32_MAX, UINT32_MAX, UINT32_MAX));)
R(gan_net_add_conv2d, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_conv2d(NULL, 2, 3, 1, 0, 0));)
R(gan_net_add_conv2d, "out_channels 0", GAN_EINVAL, "out_channels", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 0, 3, 1, 0, 0)))
R(gan_net_add_conv2d, "kernel 0", GAN_EINVAL, "kernel", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 0, 1, 0, 0)))
R(gan_net_add_conv2d, "stride 0", GAN_EINVAL, "stride", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 3, 0, 0, 0)))
R(gan_net_add_conv2d, "pad == kernel", GAN_EINVAL, "pad", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 3, 1, 3, 0)))
R(gan_net_add_conv2d, "activation 5", GAN_EINVAL, "activation", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 3, 1, 0, 5)))
R(gan_net_add_conv2d, "activation -1", GAN_EINVAL, "activation", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 3, 1, 0, -1)))
R(gan_net_add_conv2d, "kernel larger than the image", GAN_ESHAPE, "layer 1: kernel 6 with pad 0 does not fit the 2 x 5 x 5 input", NULL,
  IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, 6, 1, 0, 0)))
R(gan_net_add_conv2d, "on a flat input wider than the kernel allows", GAN_ESHAPE, "1 x 1", NULL,
  return CALL(gan_net_add_conv2d(f->g, 2, 3, 1, 0, 0));)
R(gan_net_add_conv2d, "kernel SIZE_MAX", GAN_EINVAL, "kernel", NULL, IMG_NET IMG_CALL(gan_net_add_conv2d(n, 2, SIZE_MAX, 1, 0, 0)))
R(gan_net_add_conv2d, "weights too large", GAN_EINVAL, "too large", NULL,
  IMG_NET IMG_CALL(gan_net_add_conv2d(n, UINT32_MAX, 5, 1, 0, 0)))
R(gan_net_add_deconv2d, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_deconv2d(NULL, 2, 3, 1, 0, 0, 0));)
R(gan_net_add_deconv2d, "out_channels 0", GAN_EINVAL, "out_channels", NULL, IMG_NET IMG_CALL(gan_net_add_deconv2d(n, 0, 3, 1, 0, 0, 0)))
R(gan_net_add_deconv2d, "out_pad == stride", GAN_EINVAL, "out_pad", NULL, IMG_NET IMG_CALL(gan_net_add_deconv2d(n, 2, 3, 2, 0, 2, 0)))
R(gan_net_add_deconv2d, "pad == kernel", GAN_EINVAL, "pad", NULL, IMG_NET IMG_CALL(gan_net_add_deconv2d(n, 2, 3, 2, 3, 0, 0)))
R(gan_net_add_deconv2d, "activation 7", GAN_EINVAL, "activation", NULL, IMG_NET IMG_CALL(gan_net_add_deconv2d(n, 2, 3, 2, 0, 0, 7)))
R(gan_net_add_deconv2d, "empty output", GAN_ESHAPE, "layer 2: kernel 3, stride 1, pad 2, out_pad 0 give an empty or too large output from the 6 x 1 x 1 input", NULL,
  return CALL(gan_net_add_deconv2d(f->g, 2, 3, 1, 2, 0, 0));)
R(gan_net_add_deconv2d, "output too large", GAN_ESHAPE, "too large", NULL,
  IMG_NET IMG_CALL(gan_net_add_deconv2d(n, 1, 1, UINT32_MAX, 0, 0, 0)))
R(gan_net_add_channel_maxout, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_channel_maxout(NULL, 2));)
R(gan_net_add_channel_maxout, "pieces 0", GAN_EINVAL, "pieces", NULL, IMG_NET IMG_CALL(gan_net_add_channel_maxout(n, 0)))
R(gan_net_add_channel_maxout, "pieces does not divide the channels", GAN_ESHAPE, "pieces 3 does not divide the 2 channels of the 2 x 5 x 5 input", NULL,
  IMG_NET IMG_CALL(gan_net_add_channel_maxout(n, 3)))
R(gan_net_add_maxpool, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_maxpool(NULL, 2, 2, 0));)
R(gan_net_add_maxpool, "kernel 0", GAN_EINVAL, "kernel", NULL, IMG_NET IMG_CALL(gan_net_add_maxpool(n, 0, 2, 0)))
R(gan_net_add_maxpool, "stride 0", GAN_EINVAL, "stride", NULL, IMG_NET IMG_CALL(gan_net_add_maxpool(n, 2, 0, 0)))
R(gan_net_add_maxpool, "pad == kernel", GAN_EINVAL, "pad", NULL, IMG_NET IMG_CALL(gan_net_add_maxpool(n, 2, 2, 2)))
R(gan_net_add_maxpool, "kernel larger than the image", GAN_ESHAPE, "layer 1: kernel 7 with pad 0 does not fit the 2 x 5 x 5 input", NULL,
  IMG_NET IMG_CALL(gan_net_add_maxpool(n, 7, 1, 0)))
R(gan_net_add_maxpool, "last window only padding", GAN_ESHAPE, "holds only padding", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 1)); IMG_CALL(gan_net_add_maxpool(n, 3, 4, 2)))
R(gan_net_add_batchnorm, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_batchnorm(NULL, 0.1f, 1e-5f));)
R(gan_net_add_batchnorm, "momentum 0", GAN_EINVAL, "momentum", NULL, return CALL(gan_net_add_batchnorm(f->g, 0.0f, 1e-5f));)
R(gan_net_add_batchnorm, "momentum above 1", GAN_EINVAL, "momentum", NULL, return CALL(gan_net_add_batchnorm(f->g, 1.5f, 1e-5f));)
R(gan_net_add_batchnorm, "momentum NaN", GAN_EINVAL, "momentum", NULL, return CALL(gan_net_add_batchnorm(f->g, NAN, 1e-5f));)
R(gan_net_add_batchnorm, "eps 0", GAN_EINVAL, "eps", NULL, return CALL(gan_net_add_batchnorm(f->g, 0.1f, 0.0f));)
R(gan_net_add_batchnorm, "eps Inf", GAN_EINVAL, "eps", NULL, return CALL(gan_net_add_batchnorm(f->g, 0.1f, INFINITY));)
R(gan_net_add_batchnorm, "eps NaN", GAN_EINVAL, "eps", NULL, return CALL(gan_net_add_batchnorm(f->g, 0.1f, NAN));)
R(gan_net_layer_shape, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_layer_shape(NULL, f->g, 0));)
R(gan_net_layer_shape, "net NULL", GAN_EINVAL, "net", NULL, gan_layer_shape sh; return CALL(gan_net_layer_shape(&sh, NULL, 0));)
R(gan_net_layer_shape, "layer == num_layers", GAN_EINVAL, "layer", NULL, gan_layer_shape sh; return CALL(gan_net_layer_shape(&sh, f->g, 2));)
R(gan_net_layer_shape, "layer SIZE_MAX", GAN_EINVAL, "layer", NULL, gan_layer_shape sh; return CALL(gan_net_layer_shape(&sh, f->g, SIZE_MAX));)
R(gan_net_layer_shape, "flat layer is n x 1 x 1", GAN_OK, NULL, NULL,
  CALLV(gan_layer_shape sh; (void)gan_net_layer_shape(&sh, f->g, 0);
        NOTE_IF(sh.in_channels != G_IN || sh.in_height != 1 || sh.out_channels != 8 || sh.out_width != 1, "wrong shape"));)
#undef IMG_NET
#undef IMG_CALL
R(gan_net_add_activation, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_add_activation(NULL, GAN_ACT_RELU));)
R(gan_net_add_activation, "activation -1", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_activation(f->g, -1));)
R(gan_net_add_activation, "activation 5", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_activation(f->g, 5));)
R(gan_net_add_activation, "activation INT_MIN", GAN_EINVAL, "activation", NULL, return CALL(gan_net_add_activation(f->g, INT_MIN));)
R(gan_net_add_activation, "layer 4097", GAN_EINVAL, "4096", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 2));
  for (int i = 0; i < 4096; i++) SETUP(gan_net_add_activation(n, GAN_ACT_IDENTITY));
  int rc = CALL(gan_net_add_activation(n, GAN_ACT_RELU)); gan_net_free(n); return rc;)
R(gan_net_set_leaky_slope, "activation layer not leaky", GAN_EINVAL, "leaky", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3)); SETUP(gan_net_add_activation(n, GAN_ACT_TANH));
  int rc = CALL(gan_net_set_leaky_slope(n, 0, 0.1f)); gan_net_free(n); return rc;)
R(gan_net_set_leaky_slope, "activation layer slope NaN", GAN_EINVAL, "slope", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3)); SETUP(gan_net_add_activation(n, GAN_ACT_LEAKY_RELU));
  int rc = CALL(gan_net_set_leaky_slope(n, 0, NAN)); gan_net_free(n); return rc;)
R(gan_net_set_leaky_slope, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_set_leaky_slope(NULL, 0, 0.1f));)
R(gan_net_set_leaky_slope, "layer out of range", GAN_EINVAL, "layer", NULL, return CALL(gan_net_set_leaky_slope(f->d, 4, 0.1f));)
R(gan_net_set_leaky_slope, "layer SIZE_MAX", GAN_EINVAL, "layer", NULL, return CALL(gan_net_set_leaky_slope(f->d, SIZE_MAX, 0.1f));)
R(gan_net_set_leaky_slope, "not a leaky layer", GAN_EINVAL, "leaky", NULL, return CALL(gan_net_set_leaky_slope(f->g, 0, 0.1f));)
R(gan_net_set_leaky_slope, "maxout layer", GAN_EINVAL, "leaky", NULL, return CALL(gan_net_set_leaky_slope(f->d, 0, 0.1f));)
R(gan_net_set_leaky_slope, "slope NaN", GAN_EINVAL, "slope", NULL, return CALL(gan_net_set_leaky_slope(f->d, 2, NAN));)
R(gan_net_set_leaky_slope, "slope -Inf", GAN_EINVAL, "slope", NULL, return CALL(gan_net_set_leaky_slope(f->d, 2, -INFINITY));)
R(gan_net_truncate, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_truncate(NULL, 1));)
R(gan_net_truncate, "layers 0", GAN_EINVAL, "layers", NULL, return CALL(gan_net_truncate(f->d, 0));)
R(gan_net_truncate, "layers above the count", GAN_EINVAL, "layers", NULL, return CALL(gan_net_truncate(f->d, 99));)
R(gan_net_truncate, "layers SIZE_MAX", GAN_EINVAL, "layers", NULL, return CALL(gan_net_truncate(f->d, SIZE_MAX));)
R(gan_net_input_width, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_net_input_width(NULL) != 0, "not 0"));)
R(gan_net_output_width, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_net_output_width(NULL) != 0, "not 0"));)
R(gan_net_output_width, "no layers gives the input width", GAN_OK, NULL, NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3));
  fx_snap(f); NOTE_IF(gan_net_output_width(n) != 3, "not 3"); gan_net_free(n); return fx_after(f, gan_error_last_code());)
R(gan_net_num_layers, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_net_num_layers(NULL) != 0, "not 0"));)
R(gan_net_num_params, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_net_num_params(NULL) != 0, "not 0"));)
R(gan_net_layer_info, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_layer_info(NULL, f->g, 0));)
R(gan_net_layer_info, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_layer_info(&f->info, NULL, 0));)
R(gan_net_layer_info, "layer == num_layers", GAN_EINVAL, "layer", NULL, return CALL(gan_net_layer_info(&f->info, f->g, 2));)
R(gan_net_layer_info, "layer SIZE_MAX", GAN_EINVAL, "layer", NULL, return CALL(gan_net_layer_info(&f->info, f->g, SIZE_MAX));)
R(gan_net_layer_info, "net without layers", GAN_EINVAL, "layer", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3)); int rc = CALL(gan_net_layer_info(&f->info, n, 0)); gan_net_free(n); return rc;)

/* ---- net: initialisation and parameters ------------------------------------ */
R(gan_net_init, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_init(NULL, f->rng, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_net_init(f->g, NULL, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init, "init -1", GAN_EINVAL, "init", NULL, return CALL(gan_net_init(f->g, f->rng, -1, 0.1f));)
R(gan_net_init, "init 4", GAN_EINVAL, "init", NULL, return CALL(gan_net_init(f->g, f->rng, 4, 0.1f));)
R(gan_net_init, "scale 0", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init(f->g, f->rng, GAN_INIT_UNIFORM, 0.0f));)
R(gan_net_init, "scale negative", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init(f->g, f->rng, GAN_INIT_NORMAL, -1.0f));)
R(gan_net_init, "scale NaN", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init(f->g, f->rng, GAN_INIT_UNIFORM, NAN));)
R(gan_net_init, "scale Inf", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init(f->g, f->rng, GAN_INIT_NORMAL, INFINITY));)
R(gan_net_init, "scale FLT_MAX", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init(f->g, f->rng, GAN_INIT_NORMAL, FLT_MAX));)
R(gan_net_init_layer, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_init_layer(NULL, 0, f->rng, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init_layer, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_net_init_layer(f->g, 0, NULL, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init_layer, "layer out of range", GAN_EINVAL, "layer", NULL, return CALL(gan_net_init_layer(f->g, 2, f->rng, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init_layer, "dropout layer", GAN_EINVAL, "no parameters", NULL, return CALL(gan_net_init_layer(f->d, 1, f->rng, GAN_INIT_UNIFORM, 0.1f));)
R(gan_net_init_layer, "init 99", GAN_EINVAL, "init", NULL, return CALL(gan_net_init_layer(f->g, 0, f->rng, 99, 0.1f));)
R(gan_net_init_layer, "scale NaN", GAN_EINVAL, "scale", NULL, return CALL(gan_net_init_layer(f->g, 0, f->rng, GAN_INIT_UNIFORM, NAN));)
R(gan_net_set_bias, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_set_bias(NULL, 0, f->x, 8));)
R(gan_net_set_bias, "bias NULL", GAN_EINVAL, "bias", NULL, return CALL(gan_net_set_bias(f->g, 0, NULL, 8));)
R(gan_net_set_bias, "layer out of range", GAN_EINVAL, "layer", NULL, return CALL(gan_net_set_bias(f->g, 7, f->x, 8));)
R(gan_net_set_bias, "dropout layer", GAN_EINVAL, "no parameters", NULL, return CALL(gan_net_set_bias(f->d, 1, f->x, 5));)
R(gan_net_set_bias, "n too small", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_set_bias(f->g, 0, f->x, 7));)
R(gan_net_set_bias, "n too large", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_set_bias(f->g, 0, f->x, 9));)
R(gan_net_set_bias, "maxout n = units (not units x pieces)", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_set_bias(f->d, 0, f->x, 4));)
R(gan_net_init_output_bias_from_mean, "net NULL", GAN_EINVAL, "net", NULL,
  return CALL(gan_net_init_output_bias_from_mean(NULL, f->x, G_OUT));)
R(gan_net_init_output_bias_from_mean, "mean NULL", GAN_EINVAL, "mean", NULL,
  return CALL(gan_net_init_output_bias_from_mean(f->g, NULL, G_OUT));)
R(gan_net_init_output_bias_from_mean, "n mismatch", GAN_ESHAPE, "n is", NULL,
  return CALL(gan_net_init_output_bias_from_mean(f->g, f->x, G_OUT + 1));)
R(gan_net_init_output_bias_from_mean, "last layer not sigmoid", GAN_EINVAL, "sigmoid", NULL,
  return CALL(gan_net_init_output_bias_from_mean(f->d, f->x, 1));)
R(gan_net_init_output_bias_from_mean, "net without layers", GAN_ESTATE, "no layers", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3)); int rc = CALL(gan_net_init_output_bias_from_mean(n, f->x, 3)); gan_net_free(n); return rc;)
R(gan_net_init_output_bias_from_mean, "mean NaN", GAN_EINVAL, "mean[2]", NULL,
  return CALL(gan_net_init_output_bias_from_mean(f->g, poisoned(f, G_OUT, 0, 2, NAN), G_OUT));)
R(gan_net_get_params, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_get_params(NULL, gan_net_num_params(f->g), f->g));)
R(gan_net_get_params, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_get_params(f->out, 10, NULL));)
R(gan_net_get_params, "n one short", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_get_params(f->out, gan_net_num_params(f->g) - 1, f->g));)
R(gan_net_get_params, "n SIZE_MAX", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_get_params(f->out, SIZE_MAX, f->g));)
R(gan_net_set_params, "params NULL", GAN_EINVAL, "params", NULL, return CALL(gan_net_set_params(f->g, NULL, gan_net_num_params(f->g)));)
R(gan_net_set_params, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_set_params(NULL, f->out, 10));)
R(gan_net_set_params, "n one too many", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_set_params(f->g, f->out, gan_net_num_params(f->g) + 1));)
R(gan_net_set_params, "n 0", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_set_params(f->g, f->out, 0));)
R(gan_net_get_grads, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_get_grads(NULL, gan_net_num_params(f->g), f->g));)
R(gan_net_get_grads, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_get_grads(f->out, 10, NULL));)
R(gan_net_get_grads, "n mismatch", GAN_ESHAPE, "n is", NULL, return CALL(gan_net_get_grads(f->out, 3, f->g));)

/* ---- net: forward and backward ---------------------------------------------- */
R(gan_net_forward, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_forward(NULL, G_OUT, f->g, f->z, 2, G_IN, 0));)
R(gan_net_forward, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_forward(f->out, G_OUT, NULL, f->z, 2, G_IN, 0));)
R(gan_net_forward, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, NULL, 2, G_IN, 0));)
R(gan_net_forward, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, 0, G_IN, 0));)
R(gan_net_forward, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, 2, G_IN + 1, 0));)
R(gan_net_forward, "out_cols mismatch", GAN_ESHAPE, "out_cols", NULL, return CALL(gan_net_forward(f->out, G_OUT - 1, f->g, f->z, 2, G_IN, 0));)
R(gan_net_forward, "rows SIZE_MAX", GAN_EINVAL, "rows", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, SIZE_MAX, G_IN, 0));)
R(gan_net_forward, "rows 2^31", GAN_EINVAL, "rows", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, (size_t)INT32_MAX + 1, G_IN, 0));)
R(gan_net_forward, "net without layers", GAN_ESTATE, "no layers", NULL,
  gan_net *n; SETUP(gan_net_create(&n, G_IN)); int rc = CALL(gan_net_forward(f->out, G_IN, n, f->z, 2, G_IN, 0)); gan_net_free(n); return rc;)
R(gan_net_forward, "unknown flag bit 2", GAN_EINVAL, "flags", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, 2, G_IN, 2u));)
R(gan_net_forward, "unknown flag bit 31", GAN_EINVAL, "flags", NULL, return CALL(gan_net_forward(f->out, G_OUT, f->g, f->z, 2, G_IN, 1u << 31));)
R(gan_net_train_forward, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_train_forward(NULL, f->rng, f->z, 2, G_IN));)
R(gan_net_train_forward, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_net_train_forward(f->g, f->rng, NULL, 2, G_IN));)
R(gan_net_train_forward, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_net_train_forward(f->g, f->rng, f->z, 0, G_IN));)
R(gan_net_train_forward, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(gan_net_train_forward(f->g, f->rng, f->z, 2, G_IN - 1));)
R(gan_net_train_forward, "rows SIZE_MAX", GAN_EINVAL, "rows", NULL, return CALL(gan_net_train_forward(f->g, f->rng, f->z, SIZE_MAX, G_IN));)
R(gan_net_train_forward, "rng NULL with dropout", GAN_EINVAL, "rng", NULL, return CALL(gan_net_train_forward(f->d, NULL, f->x, 2, G_OUT));)
R(gan_net_train_forward, "net without layers", GAN_ESTATE, "no layers", NULL,
  gan_net *n; SETUP(gan_net_create(&n, G_IN)); int rc = CALL(gan_net_train_forward(n, f->rng, f->z, 2, G_IN)); gan_net_free(n); return rc;)
R(gan_net_train_output, "out NULL", GAN_EINVAL, "out", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_train_output(NULL, &f->n1, &f->n2, f->g, 0));)
R(gan_net_train_output, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_train_output(&f->cp, &f->n1, &f->n2, NULL, 0));)
R(gan_net_train_output, "before any training forward", GAN_ESTATE, "forward", NULL,
  return CALL(gan_net_train_output(&f->cp, &f->n1, &f->n2, f->g, 0));)
R(gan_net_train_output, "layer added after the forward", GAN_ESTATE, "layer", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); SETUP(gan_net_add_dense(f->g, 3, 0));
  return CALL(gan_net_train_output(&f->cp, &f->n1, &f->n2, f->g, 0));)
R(gan_net_train_output, "unknown flag bit 2", GAN_EINVAL, "flags", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_train_output(&f->cp, &f->n1, &f->n2, f->g, 2u));)
R(gan_net_train_output, "unknown flag bit 31", GAN_EINVAL, "flags", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_train_output(&f->cp, &f->n1, &f->n2, f->g, 1u << 31));)
R(gan_net_backward, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_backward(NULL, NULL, f->x, 2, G_OUT, 0));)
R(gan_net_backward, "dy NULL", GAN_EINVAL, "dy", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_backward(NULL, f->g, NULL, 2, G_OUT, 0));)
R(gan_net_backward, "before any training forward", GAN_ESTATE, "forward", NULL,
  return CALL(gan_net_backward(NULL, f->g, f->x, 2, G_OUT, 0));)
R(gan_net_backward, "rows differ from the forward", GAN_ESHAPE, "rows", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_backward(NULL, f->g, f->x, 3, G_OUT, 0));)
R(gan_net_backward, "rows SIZE_MAX", GAN_ESHAPE, "rows", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_backward(NULL, f->g, f->x, SIZE_MAX, G_OUT, 0));)
R(gan_net_backward, "cols differ from the output width", GAN_ESHAPE, "cols", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_backward(NULL, f->g, f->x, 2, G_OUT - 1, 0));)
R(gan_net_backward, "unknown flag bit 8", GAN_EINVAL, "flags", NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); return CALL(gan_net_backward(NULL, f->g, f->x, 2, G_OUT, 8u));)
R(gan_net_backward, "layer added after the forward", GAN_ESTATE, NULL, NULL,
  SETUP(gan_net_train_forward(f->g, NULL, f->z, 2, G_IN)); SETUP(gan_net_add_dense(f->g, 3, 0));
  return CALL(gan_net_backward(NULL, f->g, f->x, 2, 3, 0));)

/* ---- net files ------------------------------------------------------------ */
R(gan_net_save, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_net_save(NULL, PATH(P_OUT)));)
R(gan_net_save, "path NULL", GAN_EINVAL, "path", NULL, return CALL(gan_net_save(f->g, NULL));)
R(gan_net_save, "path empty", GAN_EINVAL, "path", NULL, return CALL(gan_net_save(f->g, ""));)
R(gan_net_save, "path is a folder", GAN_EIO, NULL, NULL, return CALL(gan_net_save(f->g, PATH(P_DIR)));)
R(gan_net_save, "path is a FIFO", GAN_EIO, NULL, NULL, return CALL(gan_net_save(f->g, fresh_special(f, P_FIFO)));)
R(gan_net_save, "path is a device node", GAN_EIO, NULL, NULL,
  return CALL(gan_net_save(f->g, fresh_special(f, P_DEV)));)
R(gan_net_save, "folder is a regular file", GAN_EIO, NULL, NULL, return CALL(gan_net_save(f->g, PATH(P_UNDER_FILE)));)
R(gan_net_save, "folder missing", GAN_EIO, NULL, NULL, return CALL(gan_net_save(f->g, PATH(P_NO_FOLDER)));)
R(gan_session_save, "folder missing", GAN_EIO, NULL, NULL, return CALL(gan_session_save(f->s, PATH(P_NO_FOLDER)));)
R(gan_net_load, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_net_load(NULL, PATH(P_NET)));)
R(gan_net_load, "path NULL", GAN_EINVAL, "path", NULL, gan_net *n; return CALL(gan_net_load(&n, NULL));)
R(gan_net_load, "path empty", GAN_EINVAL, "path", NULL, gan_net *n; return CALL(gan_net_load(&n, ""));)
R(gan_net_load, "missing file", GAN_EIO, "No such file", NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_MISSING)));)
R(gan_net_load, "missing file, 600-character path", GAN_EIO, "No such file", NULL,
  gan_net *n; return CALL(gan_net_load(&n, PATH(P_LONG_MISSING)));)
R(gan_net_load, "a folder", GAN_EIO, "directory", NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_DIR)));)
R(gan_net_load, "a FIFO (no writer: must not block)", GAN_EIO, "regular", NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_FIFO)));)
R(gan_net_load, "/dev/zero", GAN_EIO, "regular", NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_DEV_ZERO)));)
R(gan_net_load, "empty file", GAN_EFORMAT, NULL, NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_EMPTY)));)
R(gan_net_load, "truncated file", GAN_EFORMAT, NULL, NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_NET_TRUNC)));)
R(gan_net_load, "one byte too many", GAN_EFORMAT, NULL, NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_NET_TAIL)));)
R(gan_net_load, "under a regular file", GAN_EIO, NULL, NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_UNDER_FILE)));)
R(gan_net_load, "a checkpoint, not a net", GAN_EFORMAT, "magic", NULL, gan_net *n; return CALL(gan_net_load(&n, PATH(P_CKPT)));)
R(gan_net_load, "NaN weight", GAN_EFORMAT, "layer 0", NULL, gan_net *n = NULL;
  int rc = CALL(gan_net_load(&n, PATH(P_NET_NAN))); gan_net_free(n); return rc;)
R(gan_net_load, "Inf weight", GAN_EFORMAT, "layer 0", NULL, gan_net *n = NULL;
  int rc = CALL(gan_net_load(&n, PATH(P_NET_INF))); gan_net_free(n); return rc;)
R(gan_net_load, "failure leaves *out NULL", GAN_EFORMAT, NULL, NULL, gan_net *n = f->g;
  int rc = CALL(gan_net_load(&n, PATH(P_NET_TRUNC))); NOTE_IF(n != NULL, "*out not NULL"); return rc;)

/* ---- optimizer -------------------------------------------------------------- */
R(gan_optimizer_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_optimizer_options_init(NULL, GAN_OPTIMIZER_OPTIONS_VERSION));)
R(gan_optimizer_options_init, "version 0", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_optimizer_options_init(&f->oo, 0));)
R(gan_optimizer_options_init, "version 2", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_optimizer_options_init(&f->oo, 2));)
R(gan_optimizer_options_init, "version UINT_MAX", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_optimizer_options_init(&f->oo, UINT_MAX));)
R(gan_optimizer_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_optimizer_create(NULL, f->g, &f->oo));)
R(gan_optimizer_create, "net NULL", GAN_EINVAL, "net", NULL, gan_optimizer *o; return CALL(gan_optimizer_create(&o, NULL, &f->oo));)
R(gan_optimizer_create, "opts NULL", GAN_EINVAL, "opts", NULL, gan_optimizer *o; return CALL(gan_optimizer_create(&o, f->g, NULL));)
R(gan_optimizer_create, "net without parameters", GAN_ESTATE, "parameters", NULL,
  gan_net *n; SETUP(gan_net_create(&n, 3)); SETUP(gan_net_add_dropout(n, 0.5f));
  gan_optimizer *o = NULL; int rc = CALL(gan_optimizer_create(&o, n, &f->oo)); gan_optimizer_free(o); gan_net_free(n); return rc;)
#define OPT_ROW(label, code, text, field, value) \
  R(gan_optimizer_create, label, code, text, NULL, gan_optimizer *o = NULL; f->oo.field = value; \
    int rc = CALL(gan_optimizer_create(&o, f->g, &f->oo)); NOTE_IF(o != NULL, "*out set"); gan_optimizer_free(o); return rc;)
OPT_ROW("version 0", GAN_EUNSUPPORTED, "version", version, 0)
OPT_ROW("version 2", GAN_EUNSUPPORTED, "version", version, 2)
OPT_ROW("kind 2", GAN_EUNSUPPORTED, "kind", kind, 2)
OPT_ROW("kind UINT32_MAX", GAN_EUNSUPPORTED, "kind", kind, UINT32_MAX)
OPT_ROW("learning_rate 0", GAN_EINVAL, "learning_rate", learning_rate, 0.0f)
OPT_ROW("learning_rate negative", GAN_EINVAL, "learning_rate", learning_rate, -0.1f)
OPT_ROW("learning_rate NaN", GAN_EINVAL, "learning_rate", learning_rate, NAN)
OPT_ROW("learning_rate Inf", GAN_EINVAL, "learning_rate", learning_rate, INFINITY)
OPT_ROW("lr_decay below 1", GAN_EINVAL, "lr_decay", lr_decay, 0.5f)
OPT_ROW("lr_decay NaN", GAN_EINVAL, "lr_decay", lr_decay, NAN)
OPT_ROW("lr_decay Inf", GAN_EINVAL, "lr_decay", lr_decay, INFINITY)
OPT_ROW("lr_min negative", GAN_EINVAL, "lr_min", lr_min, -1.0f)
OPT_ROW("lr_min NaN", GAN_EINVAL, "lr_min", lr_min, NAN)
OPT_ROW("momentum 1", GAN_EINVAL, "momentum", momentum, 1.0f)
OPT_ROW("momentum -1", GAN_EINVAL, "momentum", momentum, -1.0f)
OPT_ROW("momentum NaN", GAN_EINVAL, "momentum", momentum, NAN)
OPT_ROW("momentum_final 1", GAN_EINVAL, "momentum_final", momentum_final, 1.0f)
OPT_ROW("momentum_final NaN", GAN_EINVAL, "momentum_final", momentum_final, NAN)
OPT_ROW("momentum_final -1", GAN_EINVAL, "momentum_final", momentum_final, -1.0f)
OPT_ROW("momentum_start_epoch 0", GAN_EINVAL, "momentum_start_epoch", momentum_start_epoch, 0)
OPT_ROW("saturate before start", GAN_EINVAL, "momentum_saturate_epoch", momentum_start_epoch, 5)
OPT_ROW("beta1 1", GAN_EINVAL, "beta1", beta1, 1.0f)
OPT_ROW("beta1 NaN", GAN_EINVAL, "beta1", beta1, NAN)
OPT_ROW("beta2 1", GAN_EINVAL, "beta2", beta2, 1.0f)
OPT_ROW("beta2 negative", GAN_EINVAL, "beta2", beta2, -0.5f)
OPT_ROW("epsilon 0", GAN_EINVAL, "epsilon", epsilon, 0.0f)
OPT_ROW("epsilon Inf", GAN_EINVAL, "epsilon", epsilon, INFINITY)
OPT_ROW("max_norm negative", GAN_EINVAL, "max_norm", max_norm, -1.0f)
OPT_ROW("max_norm NaN", GAN_EINVAL, "max_norm", max_norm, NAN)
#undef OPT_ROW
R(gan_optimizer_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_optimizer_free(NULL));)
R(gan_optimizer_step, "opt NULL", GAN_EINVAL, "opt", NULL, return CALL(gan_optimizer_step(NULL));)
R(gan_optimizer_step, "after a layer was added", GAN_ESTATE, "layers were added", NULL,
  SETUP(gan_net_add_dense(f->g, 2, 0)); return CALL(gan_optimizer_step(f->g_opt));)
R(gan_optimizer_set_epoch, "opt NULL", GAN_EINVAL, "opt", NULL, return CALL(gan_optimizer_set_epoch(NULL, 1));)
R(gan_optimizer_set_epoch, "epoch 0", GAN_EINVAL, "epoch", NULL, return CALL(gan_optimizer_set_epoch(f->g_opt, 0));)
R(gan_optimizer_learning_rate, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_optimizer_learning_rate(NULL) != 0.0f, "not 0"));)
R(gan_optimizer_momentum, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_optimizer_momentum(NULL) != 0.0f, "not 0"));)
R(gan_optimizer_steps, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_optimizer_steps(NULL) != 0, "not 0"));)
R(gan_optimizer_state_size, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_optimizer_state_size(NULL) != 0, "not 0"));)
R(gan_optimizer_get_state, "buf NULL", GAN_EINVAL, "buf", NULL, return CALL(gan_optimizer_get_state(NULL, 4096, f->g_opt));)
R(gan_optimizer_get_state, "opt NULL", GAN_EINVAL, "opt", NULL, return CALL(gan_optimizer_get_state(f->out, sizeof f->out, NULL));)
R(gan_optimizer_get_state, "size one short", GAN_EINVAL, "size", NULL,
  return CALL(gan_optimizer_get_state(f->out, gan_optimizer_state_size(f->g_opt) - 1, f->g_opt));)
R(gan_optimizer_get_state, "size 0", GAN_EINVAL, "size", NULL, return CALL(gan_optimizer_get_state(f->out, 0, f->g_opt));)
R(gan_optimizer_set_state, "opt NULL", GAN_EINVAL, "opt", NULL, return CALL(gan_optimizer_set_state(NULL, f->out, 100));)
R(gan_optimizer_set_state, "buf NULL", GAN_EINVAL, "buf", NULL, return CALL(gan_optimizer_set_state(f->g_opt, NULL, 100));)
R(gan_optimizer_set_state, "size 0", GAN_EFORMAT, NULL, NULL, return CALL(gan_optimizer_set_state(f->g_opt, f->out, 0));)
R(gan_optimizer_set_state, "damaged (checksum)", GAN_EFORMAT, "checksum", NULL, return set_state_edited(f, f->g_opt, 0);)
R(gan_optimizer_set_state, "truncated", GAN_EFORMAT, NULL, NULL, return set_state_edited(f, f->g_opt, 1);)
R(gan_optimizer_set_state, "NaN velocity", GAN_EFORMAT, "NaN", NULL, return set_state_edited(f, f->g_opt, 2);)
R(gan_optimizer_set_state, "Inf velocity", GAN_EFORMAT, "Inf", NULL, return set_state_edited(f, f->g_opt, 3);)
R(gan_optimizer_set_state, "wrong magic", GAN_EFORMAT, "magic", NULL, return set_state_edited(f, f->g_opt, 4);)
R(gan_optimizer_set_state, "another net's state", GAN_ESHAPE, "parameters", NULL,
  size_t n; unsigned char *b = opt_state(f->d_opt, &n); if (b == NULL) return SETUP_FAILED;
  int rc = CALL(gan_optimizer_set_state(f->g_opt, b, n)); free(b); return rc;)
R(gan_optimizer_set_state, "an SGD state into Adam", GAN_ESHAPE, "kind", NULL,
  gan_optimizer *adam; f->oo.kind = GAN_OPT_ADAM; SETUP(gan_optimizer_create(&adam, f->g, &f->oo));
  size_t n; unsigned char *b = opt_state(f->g_opt, &n); if (b == NULL) return SETUP_FAILED;
  /* the SGD blob is shorter than Adam's, so the kind is checked first */
  int rc = CALL(gan_optimizer_set_state(adam, b, n)); free(b); gan_optimizer_free(adam); return rc;)
R(gan_optimizer_set_state, "a net file", GAN_EFORMAT, "magic", NULL,
  return CALL(gan_optimizer_set_state(f->g_opt, "GANNET\0\1\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24));)

/* ---- datasets ------------------------------------------------------------ */
R(gan_dataset_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_create(NULL, f->x, 2, G_OUT));)
R(gan_dataset_create, "x NULL", GAN_EINVAL, "x", NULL, gan_dataset *ds; return CALL(gan_dataset_create(&ds, NULL, 2, G_OUT));)
R(gan_dataset_create, "rows 0", GAN_EINVAL, "rows", NULL, gan_dataset *ds; return CALL(gan_dataset_create(&ds, f->x, 0, G_OUT));)
R(gan_dataset_create, "cols 0", GAN_EINVAL, "cols", NULL, gan_dataset *ds; return CALL(gan_dataset_create(&ds, f->x, 2, 0));)
R(gan_dataset_create, "rows x cols overflows", GAN_EINVAL, "overflow", NULL,
  gan_dataset *ds; return CALL(gan_dataset_create(&ds, f->x, SIZE_MAX / 2, 3));)
R(gan_dataset_create, "NaN at row 1", GAN_EINVAL, "x[1][3]", NULL,
  gan_dataset *ds; return CALL(gan_dataset_create(&ds, poisoned(f, G_OUT, 1, 3, NAN), 4, G_OUT));)
R(gan_dataset_create, "-Inf at row 0", GAN_EINVAL, "x[0][0]", NULL,
  gan_dataset *ds; return CALL(gan_dataset_create(&ds, poisoned(f, G_OUT, 0, 0, -INFINITY), 4, G_OUT));)
R(gan_dataset_load_idx, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_load_idx(NULL, PATH(P_IDX_IMG), NULL));)
R(gan_dataset_load_idx, "images_path NULL", GAN_EINVAL, "images_path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, NULL, NULL));)
R(gan_dataset_load_idx, "images_path empty", GAN_EINVAL, "images_path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, "", NULL));)
R(gan_dataset_load_idx, "labels_path empty", GAN_EINVAL, "labels_path", NULL,
  gan_dataset *ds = NULL; int rc = CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_IMG), "")); gan_dataset_free(ds); return rc;)
R(gan_dataset_load_idx, "missing file", GAN_EIO, "No such file", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_MISSING), NULL));)
R(gan_dataset_load_idx, "missing file, 600-character path", GAN_EIO, "No such file", NULL,
  gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_LONG_MISSING), NULL));)
R(gan_dataset_load_idx, "a folder", GAN_EIO, "directory", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_DIR), NULL));)
R(gan_dataset_load_idx, "a FIFO", GAN_EIO, "regular", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_FIFO), NULL));)
R(gan_dataset_load_idx, "/dev/zero", GAN_EIO, "regular", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_DEV_ZERO), NULL));)
R(gan_dataset_load_idx, "empty file", GAN_EFORMAT, "empty", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_EMPTY), NULL));)
R(gan_dataset_load_idx, "under a regular file", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_UNDER_FILE), NULL));)
R(gan_dataset_load_idx, "truncated data", GAN_EFORMAT, "truncated", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_TRUNC), NULL));)
R(gan_dataset_load_idx, "trailing byte", GAN_EFORMAT, "trailing", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_TAIL), NULL));)
R(gan_dataset_load_idx, "float elements", GAN_EFORMAT, "type", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_BADTYPE), NULL));)
R(gan_dataset_load_idx, "labels file as images", GAN_EFORMAT, "dimensions", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_LAB), NULL));)
R(gan_dataset_load_idx, "images file as labels", GAN_EFORMAT, "dimensions", NULL,
  gan_dataset *ds; f->path_used = paths[P_IDX_IMG]; return CALL(gan_dataset_load_idx(&ds, paths[P_IDX_IMG], paths[P_IDX_IMG]));)
R(gan_dataset_load_idx, "3 labels for 2 images", GAN_ESHAPE, "labels", NULL,
  gan_dataset *ds; PATH(P_IDX_LAB3); return CALL(gan_dataset_load_idx(&ds, paths[P_IDX_IMG], paths[P_IDX_LAB3]));)
R(gan_dataset_load_idx, "labels missing", GAN_EIO, "No such file", NULL,
  gan_dataset *ds; PATH(P_MISSING); return CALL(gan_dataset_load_idx(&ds, paths[P_IDX_IMG], paths[P_MISSING]));)
R(gan_dataset_load_idx, "a net file", GAN_EFORMAT, "magic", NULL, gan_dataset *ds; return CALL(gan_dataset_load_idx(&ds, PATH(P_NET), NULL));)
R(gan_dataset_load_idx, "gzip without its CRC/size trailer", GAN_EFORMAT, NULL, NULL,
  gan_dataset *ds = NULL; int rc = CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_GZ_NOTRAILER), NULL)); gan_dataset_free(ds); return rc;)
R(gan_dataset_load_idx, "bytes after the gzip stream", GAN_EFORMAT, NULL, NULL,
  gan_dataset *ds = NULL; int rc = CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_GZ_TAIL), NULL)); gan_dataset_free(ds); return rc;)
R(gan_dataset_load_idx, "failure leaves *out NULL", GAN_EFORMAT, NULL, NULL, gan_dataset *ds = f->data;
  int rc = CALL(gan_dataset_load_idx(&ds, PATH(P_IDX_TRUNC), NULL)); NOTE_IF(ds != NULL, "*out not NULL"); return rc;)
R(gan_dataset_subset, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_subset(NULL, f->data, 0, 2));)
R(gan_dataset_subset, "src NULL", GAN_EINVAL, "src", NULL, gan_dataset *ds; return CALL(gan_dataset_subset(&ds, NULL, 0, 2));)
R(gan_dataset_subset, "count 0", GAN_EINVAL, "count", NULL, gan_dataset *ds; return CALL(gan_dataset_subset(&ds, f->data, 0, 0));)
R(gan_dataset_subset, "past the end", GAN_EINVAL, "exceed", NULL, gan_dataset *ds; return CALL(gan_dataset_subset(&ds, f->data, 8, 3));)
R(gan_dataset_subset, "begin + count overflows", GAN_EINVAL, "exceed", NULL, gan_dataset *ds; return CALL(gan_dataset_subset(&ds, f->data, 2, SIZE_MAX));)
R(gan_dataset_subset, "begin SIZE_MAX", GAN_EINVAL, "exceed", NULL, gan_dataset *ds; return CALL(gan_dataset_subset(&ds, f->data, SIZE_MAX, 1));)
R(gan_dataset_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_dataset_free(NULL));)
R(gan_dataset_rows, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_rows(NULL) != 0, "not 0"));)
R(gan_dataset_cols, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_cols(NULL) != 0, "not 0"));)
R(gan_dataset_data, "NULL gives NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_data(NULL) != NULL, "not NULL"));)
R(gan_dataset_labels, "NULL gives NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_labels(NULL) != NULL, "not NULL"));)
R(gan_dataset_labels, "none gives NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_labels(f->data) != NULL, "not NULL"));)
R(gan_dataset_column_mean, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_column_mean(NULL, G_OUT, f->data));)
R(gan_dataset_column_mean, "ds NULL", GAN_EINVAL, "ds", NULL, return CALL(gan_dataset_column_mean(f->out, G_OUT, NULL));)
R(gan_dataset_column_mean, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(gan_dataset_column_mean(f->out, G_OUT + 1, f->data));)
R(gan_dataset_column_mean, "cols 0", GAN_ESHAPE, "cols", NULL, return CALL(gan_dataset_column_mean(f->out, 0, f->data));)
R(gan_dataset_next_batch, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_next_batch(NULL, NULL, &f->n1, f->data, f->rng, 4));)
R(gan_dataset_next_batch, "rows_out NULL", GAN_EINVAL, "rows_out", NULL, return CALL(gan_dataset_next_batch(f->out, NULL, NULL, f->data, f->rng, 4));)
R(gan_dataset_next_batch, "ds NULL", GAN_EINVAL, "ds", NULL, return CALL(gan_dataset_next_batch(f->out, NULL, &f->n1, NULL, f->rng, 4));)
R(gan_dataset_next_batch, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_dataset_next_batch(f->out, NULL, &f->n1, f->data, NULL, 4));)
R(gan_dataset_next_batch, "batch 0", GAN_EINVAL, "batch", NULL, return CALL(gan_dataset_next_batch(f->out, NULL, &f->n1, f->data, f->rng, 0));)
R(gan_dataset_epoch, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_dataset_epoch(NULL) != 0, "not 0"));)
R(gan_dataset_rewind, "ds NULL", GAN_EINVAL, "ds", NULL, return CALL(gan_dataset_rewind(NULL));)

/* ---- toy distributions ------------------------------------------------------ */
R(gan_toy_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_options_init(NULL, GAN_TOY_OPTIONS_VERSION));)
R(gan_toy_options_init, "version 0", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_toy_options_init(&f->toy, 0));)
R(gan_toy_options_init, "version 2", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_toy_options_init(&f->toy, 2));)
#define TOY_ROW(fn, label, code, text, field, value, ...) \
  R(fn, label, code, text, NULL, f->toy.field = value; __VA_ARGS__)
/* One macro per function: two rows from one line would share a name. */
#define TOY_W(label, code, text, field, value) \
  TOY_ROW(gan_toy_width, "opts: " label, code, text, field, value, CALLV(NOTE_IF(gan_toy_width(&f->toy) != 0, "not 0"));)
#define TOY_S(label, code, text, field, value) \
  TOY_ROW(gan_toy_sample, "opts: " label, code, text, field, value, return CALL(gan_toy_sample(f->out, 4, 2, &f->toy, f->rng));)
TOY_W("version 0", GAN_EUNSUPPORTED, "version", version, 0)
TOY_S("version 0", GAN_EUNSUPPORTED, "version", version, 0)
TOY_W("version 2", GAN_EUNSUPPORTED, "version", version, 2)
TOY_S("version 2", GAN_EUNSUPPORTED, "version", version, 2)
TOY_W("kind 3", GAN_EUNSUPPORTED, "kind", kind, 3)
TOY_S("kind 3", GAN_EUNSUPPORTED, "kind", kind, 3)
TOY_W("std 0", GAN_EINVAL, "std", std, 0.0f)
TOY_S("std 0", GAN_EINVAL, "std", std, 0.0f)
TOY_W("std negative", GAN_EINVAL, "std", std, -1.0f)
TOY_S("std negative", GAN_EINVAL, "std", std, -1.0f)
TOY_W("std NaN", GAN_EINVAL, "std", std, NAN)
TOY_S("std NaN", GAN_EINVAL, "std", std, NAN)
TOY_W("std Inf", GAN_EINVAL, "std", std, INFINITY)
TOY_S("std Inf", GAN_EINVAL, "std", std, INFINITY)
TOY_W("ring modes 0", GAN_EINVAL, "modes", modes, 0)
TOY_S("ring modes 0", GAN_EINVAL, "modes", modes, 0)
TOY_W("ring modes UINT32_MAX", GAN_EINVAL, "modes", modes, UINT32_MAX)
TOY_S("ring modes UINT32_MAX", GAN_EINVAL, "modes", modes, UINT32_MAX)
TOY_W("ring radius NaN", GAN_EINVAL, "radius", radius, NAN)
TOY_S("ring radius NaN", GAN_EINVAL, "radius", radius, NAN)
TOY_W("ring radius negative", GAN_EINVAL, "radius", radius, -2.0f)
TOY_S("ring radius negative", GAN_EINVAL, "radius", radius, -2.0f)
TOY_W("ring radius Inf", GAN_EINVAL, "radius", radius, INFINITY)
TOY_S("ring radius Inf", GAN_EINVAL, "radius", radius, INFINITY)
#undef TOY_W
#undef TOY_S
TOY_ROW(gan_toy_width, "opts: gaussian mean NaN", GAN_EINVAL, "mean", mean, NAN,
        f->toy.kind = GAN_TOY_GAUSSIAN_1D; CALLV(NOTE_IF(gan_toy_width(&f->toy) != 0, "not 0"));)
TOY_ROW(gan_toy_sample, "opts: gaussian mean Inf", GAN_EINVAL, "mean", mean, INFINITY,
        f->toy.kind = GAN_TOY_GAUSSIAN_1D; return CALL(gan_toy_sample(f->out, 4, 1, &f->toy, f->rng));)
TOY_ROW(gan_toy_num_modes, "opts: grid_side 0", GAN_EINVAL, "grid_side", grid_side, 0,
        f->toy.kind = GAN_TOY_GRID_2D; CALLV(NOTE_IF(gan_toy_num_modes(&f->toy) != 0, "not 0"));)
TOY_ROW(gan_toy_num_modes, "opts: grid_side 2^31", GAN_EINVAL, "grid_side", grid_side, 1u << 31,
        f->toy.kind = GAN_TOY_GRID_2D; CALLV(NOTE_IF(gan_toy_num_modes(&f->toy) != 0, "not 0"));)
TOY_ROW(gan_toy_num_modes, "opts: grid spacing NaN", GAN_EINVAL, "spacing", spacing, NAN,
        f->toy.kind = GAN_TOY_GRID_2D; CALLV(NOTE_IF(gan_toy_num_modes(&f->toy) != 0, "not 0"));)
TOY_ROW(gan_toy_centers, "opts: grid spacing negative", GAN_EINVAL, "spacing", spacing, -1.0f,
        f->toy.kind = GAN_TOY_GRID_2D; return CALL(gan_toy_centers(f->out, 50, &f->toy));)
#undef TOY_ROW
R(gan_toy_width, "opts NULL", GAN_EINVAL, "opts", NULL, CALLV(NOTE_IF(gan_toy_width(NULL) != 0, "not 0"));)
R(gan_toy_num_modes, "opts NULL", GAN_EINVAL, "opts", NULL, CALLV(NOTE_IF(gan_toy_num_modes(NULL) != 0, "not 0"));)
R(gan_toy_centers, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_toy_centers(NULL, 16, &f->toy));)
R(gan_toy_centers, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_centers(f->out, 16, NULL));)
R(gan_toy_centers, "n one short", GAN_ESHAPE, "n is", NULL, return CALL(gan_toy_centers(f->out, 15, &f->toy));)
R(gan_toy_centers, "n SIZE_MAX", GAN_ESHAPE, "n is", NULL, return CALL(gan_toy_centers(f->out, SIZE_MAX, &f->toy));)
R(gan_toy_sample, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_toy_sample(NULL, 4, 2, &f->toy, f->rng));)
R(gan_toy_sample, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_sample(f->out, 4, 2, NULL, f->rng));)
R(gan_toy_sample, "rng NULL", GAN_EINVAL, "rng", NULL, return CALL(gan_toy_sample(f->out, 4, 2, &f->toy, NULL));)
R(gan_toy_sample, "cols 1 for a 2-D toy", GAN_ESHAPE, "cols", NULL, return CALL(gan_toy_sample(f->out, 4, 1, &f->toy, f->rng));)
R(gan_toy_sample, "rows overflow", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_sample(f->out, SIZE_MAX / 2 + 1, 2, &f->toy, f->rng));)
R(gan_toy_sample, "rows x cols floats overflow the bytes", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_sample(f->out, SIZE_MAX / 4, 2, &f->toy, f->rng));)
R(gan_toy_density, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_toy_density(NULL, &f->toy, f->x, 3, 2));)
R(gan_toy_density, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_density(f->dout, NULL, f->x, 3, 2));)
R(gan_toy_density, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_toy_density(f->dout, &f->toy, NULL, 3, 2));)
R(gan_toy_density, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_density(f->dout, &f->toy, f->x, 0, 2));)
R(gan_toy_density, "cols 3", GAN_ESHAPE, "cols", NULL, return CALL(gan_toy_density(f->dout, &f->toy, f->x, 3, 3));)
R(gan_toy_density, "rows overflow", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_density(f->dout, &f->toy, f->x, SIZE_MAX / 2 + 1, 2));)
R(gan_toy_density, "rows x cols floats overflow the bytes", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_density(f->dout, &f->toy, f->x, SIZE_MAX / 4, 2));)
R(gan_toy_density, "bad options", GAN_EINVAL, "std", NULL, f->toy.std = -1; return CALL(gan_toy_density(f->dout, &f->toy, f->x, 3, 2));)
R(gan_toy_assign, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_assign(f->i32, f->out, NULL, f->x, 3, 2));)
R(gan_toy_assign, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_toy_assign(f->i32, f->out, &f->toy, NULL, 3, 2));)
R(gan_toy_assign, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_assign(f->i32, f->out, &f->toy, f->x, 0, 2));)
R(gan_toy_assign, "cols 1 for a 2-D toy", GAN_ESHAPE, "cols", NULL, return CALL(gan_toy_assign(f->i32, f->out, &f->toy, f->x, 3, 1));)
R(gan_toy_assign, "bad kind", GAN_EUNSUPPORTED, "kind", NULL, f->toy.kind = 7; return CALL(gan_toy_assign(f->i32, NULL, &f->toy, f->x, 3, 2));)
R(gan_dataset_create_toy, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_create_toy(NULL, &f->toy, 10, f->rng));)
R(gan_dataset_create_toy, "opts NULL", GAN_EINVAL, "opts", NULL, gan_dataset *ds; return CALL(gan_dataset_create_toy(&ds, NULL, 10, f->rng));)
R(gan_dataset_create_toy, "rows 0", GAN_EINVAL, "rows", NULL, gan_dataset *ds; return CALL(gan_dataset_create_toy(&ds, &f->toy, 0, f->rng));)
R(gan_dataset_create_toy, "rng NULL", GAN_EINVAL, "rng", NULL, gan_dataset *ds; return CALL(gan_dataset_create_toy(&ds, &f->toy, 10, NULL));)
R(gan_dataset_create_toy, "rows overflow", GAN_EINVAL, "rows", NULL, gan_dataset *ds; return CALL(gan_dataset_create_toy(&ds, &f->toy, SIZE_MAX / 2, f->rng));)
R(gan_dataset_create_toy, "bad version", GAN_EUNSUPPORTED, "version", NULL,
  gan_dataset *ds; f->toy.version = 9; return CALL(gan_dataset_create_toy(&ds, &f->toy, 10, f->rng));)

/* ---- losses ------------------------------------------------------------------ */
R(gan_loss_d, "loss NULL", GAN_EINVAL, "loss", NULL, return CALL(gan_loss_d(NULL, NULL, NULL, f->x, 3, f->x, 3, 0));)
R(gan_loss_d, "logit_real NULL", GAN_EINVAL, "logit_real", NULL, return CALL(gan_loss_d(f->dout, NULL, NULL, NULL, 3, f->x, 3, 0));)
R(gan_loss_d, "logit_fake NULL", GAN_EINVAL, "logit_fake", NULL, return CALL(gan_loss_d(f->dout, NULL, NULL, f->x, 3, NULL, 3, 0));)
R(gan_loss_d, "n_real 0", GAN_EINVAL, "logit_real", NULL, return CALL(gan_loss_d(f->dout, NULL, NULL, f->x, 0, f->x, 3, 0));)
R(gan_loss_d, "n_fake 0", GAN_EINVAL, "logit_fake", NULL, return CALL(gan_loss_d(f->dout, NULL, NULL, f->x, 3, f->x, 0, 0));)
R(gan_loss_d, "NaN real logit", GAN_EINVAL, "logit_real[2]", NULL,
  return CALL(gan_loss_d(f->dout, NULL, NULL, poisoned(f, 1, 2, 0, NAN), 3, f->x, 3, 0));)
R(gan_loss_d, "Inf fake logit", GAN_EINVAL, "logit_fake[1]", NULL,
  return CALL(gan_loss_d(f->dout, NULL, NULL, f->x, 3, poisoned(f, 1, 1, 0, INFINITY), 3, 0));)
R(gan_loss_d, "unknown flag bit 2", GAN_EINVAL, "flags", NULL, return CALL(gan_loss_d(f->dout, NULL, NULL, f->x, 3, f->x, 3, 2u));)
R(gan_loss_d_smoothed, "loss NULL", GAN_EINVAL, "loss", NULL, return CALL(gan_loss_d_smoothed(NULL, NULL, NULL, f->x, 3, f->x, 3, 0, 0.9f));)
R(gan_loss_d_smoothed, "logit_real NULL", GAN_EINVAL, "logit_real", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, NULL, 3, f->x, 3, 0, 0.9f));)
R(gan_loss_d_smoothed, "n_fake 0", GAN_EINVAL, "logit_fake", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 0, 0, 0.9f));)
R(gan_loss_d_smoothed, "NaN real logit", GAN_EINVAL, "logit_real[2]", NULL,
  return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, poisoned(f, 1, 2, 0, NAN), 3, f->x, 3, 0, 0.9f));)
R(gan_loss_d_smoothed, "unknown flag bit 2", GAN_EINVAL, "flags", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 3, 2u, 0.9f));)
R(gan_loss_d_smoothed, "real_label 0.4", GAN_EINVAL, "real_label", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 3, 0, 0.4f));)
R(gan_loss_d_smoothed, "real_label 1.5", GAN_EINVAL, "real_label", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 3, 0, 1.5f));)
R(gan_loss_d_smoothed, "real_label NaN", GAN_EINVAL, "real_label", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 3, 0, NAN));)
R(gan_loss_d_smoothed, "real_label Inf", GAN_EINVAL, "real_label", NULL, return CALL(gan_loss_d_smoothed(f->dout, NULL, NULL, f->x, 3, f->x, 3, 0, INFINITY));)
R(gan_loss_g, "loss NULL", GAN_EINVAL, "loss", NULL, return CALL(gan_loss_g(NULL, NULL, f->x, 3, GAN_G_LOSS_MINIMAX));)
R(gan_loss_g, "logit_fake NULL", GAN_EINVAL, "logit_fake", NULL, return CALL(gan_loss_g(f->dout, NULL, NULL, 3, GAN_G_LOSS_MINIMAX));)
R(gan_loss_g, "n 0", GAN_EINVAL, "logit_fake", NULL, return CALL(gan_loss_g(f->dout, NULL, f->x, 0, GAN_G_LOSS_MINIMAX));)
R(gan_loss_g, "kind 2", GAN_EUNSUPPORTED, "kind", NULL, return CALL(gan_loss_g(f->dout, NULL, f->x, 3, 2));)
R(gan_loss_g, "kind -1", GAN_EUNSUPPORTED, "kind", NULL, return CALL(gan_loss_g(f->dout, NULL, f->x, 3, -1));)
R(gan_loss_g, "NaN logit", GAN_EINVAL, "logit_fake[0]", NULL, return CALL(gan_loss_g(f->dout, NULL, poisoned(f, 1, 0, 0, NAN), 3, 0));)
/* Classification: f->x read as 3 rows x 2 classes, labels in f->i32 (LAB3). */
#define SCE(logits, rows, classes) gan_loss_softmax_cross_entropy(f->dout, f->out, logits, rows, classes, f->i32)
#define LAB3(a, b, c) f->i32[0] = (a); f->i32[1] = (b); f->i32[2] = (c);
R(gan_loss_softmax_cross_entropy, "loss NULL", GAN_EINVAL, "loss", NULL,
  LAB3(0, 1, 1) return CALL(gan_loss_softmax_cross_entropy(NULL, f->out, f->x, 3, 2, f->i32));)
R(gan_loss_softmax_cross_entropy, "logits NULL", GAN_EINVAL, "logits", NULL, LAB3(0, 1, 1) return CALL(SCE(NULL, 3, 2));)
R(gan_loss_softmax_cross_entropy, "labels NULL", GAN_EINVAL, "labels", NULL, return CALL(gan_loss_softmax_cross_entropy(f->dout, f->out, f->x, 3, 2, NULL));)
R(gan_loss_softmax_cross_entropy, "rows 0", GAN_EINVAL, "rows", NULL, LAB3(0, 1, 1) return CALL(SCE(f->x, 0, 2));)
R(gan_loss_softmax_cross_entropy, "classes 0", GAN_EINVAL, "classes", NULL, LAB3(0, 1, 1) return CALL(SCE(f->x, 3, 0));)
R(gan_loss_softmax_cross_entropy, "rows x classes overflows", GAN_EINVAL, "overflows", NULL,
  LAB3(0, 1, 1) return CALL(SCE(f->x, SIZE_MAX / 2, 3));)
R(gan_loss_softmax_cross_entropy, "NaN logit names its row and class", GAN_EINVAL, "logits[2] (row 1, class 0)", NULL,
  LAB3(0, 1, 1) return CALL(SCE(poisoned(f, 1, 2, 0, NAN), 3, 2));)
R(gan_loss_softmax_cross_entropy, "-Inf logit", GAN_EINVAL, "logits[5] (row 2, class 1)", NULL,
  LAB3(0, 1, 1) return CALL(SCE(poisoned(f, 1, 5, 0, -INFINITY), 3, 2));)
R(gan_loss_softmax_cross_entropy, "label -1 names its row and value", GAN_EINVAL, "labels[1] is -1", NULL,
  LAB3(0, -1, 1) return CALL(SCE(f->x, 3, 2));)
R(gan_loss_softmax_cross_entropy, "label == classes", GAN_EINVAL, "labels[2] is 2, outside [0, 2)", NULL,
  LAB3(0, 1, 2) return CALL(SCE(f->x, 3, 2));)
R(gan_loss_softmax_cross_entropy, "label INT32_MAX", GAN_EINVAL, "labels[0] is 2147483647", NULL,
  LAB3(INT32_MAX, 0, 0) return CALL(SCE(f->x, 3, 2));)
R(gan_loss_softmax_cross_entropy, "refused call leaves grad alone", GAN_EINVAL, "labels[2]", NULL,
  f->out[0] = 42.0f; LAB3(0, 1, 2) int rc = CALL(SCE(f->x, 3, 2)); NOTE_IF(f->out[0] != 42.0f, "grad written"); return rc;)
R(gan_loss_softmax_cross_entropy, "grad NULL, one class", GAN_OK, NULL, NULL,
  LAB3(0, 0, 0) CALLV(int rc = gan_loss_softmax_cross_entropy(f->dout, NULL, f->x, 3, 1, f->i32);
        NOTE_IF(rc != GAN_OK || f->dout[0] != 0.0, "one class is not loss 0"));)
#undef SCE
#undef LAB3
R(gan_softmax, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_softmax(NULL, f->x, 3, 2));)
R(gan_softmax, "logits NULL", GAN_EINVAL, "logits", NULL, return CALL(gan_softmax(f->out, NULL, 3, 2));)
R(gan_softmax, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_softmax(f->out, f->x, 0, 2));)
R(gan_softmax, "classes 0", GAN_EINVAL, "classes", NULL, return CALL(gan_softmax(f->out, f->x, 3, 0));)
R(gan_softmax, "rows x classes overflows", GAN_EINVAL, "overflows", NULL, return CALL(gan_softmax(f->out, f->x, 3, SIZE_MAX / 2));)
R(gan_softmax, "Inf logit", GAN_EINVAL, "logits[3] (row 1, class 1)", NULL,
  return CALL(gan_softmax(f->out, poisoned(f, 1, 3, 0, INFINITY), 3, 2));)

/* ---- update steps ---------------------------------------------------------------- */
#define UD(real, fake, rows, cols, flags) gan_update_d(&f->ss, f->d, f->d_opt, f->rng, real, fake, rows, cols, flags)
R(gan_update_d, "d NULL", GAN_EINVAL, "d", NULL, return CALL(gan_update_d(&f->ss, NULL, f->d_opt, f->rng, f->x, f->x, 2, G_OUT, 0));)
R(gan_update_d, "d_opt NULL", GAN_EINVAL, "d_opt", NULL, return CALL(gan_update_d(&f->ss, f->d, NULL, f->rng, f->x, f->x, 2, G_OUT, 0));)
R(gan_update_d, "real NULL", GAN_EINVAL, "real", NULL, return CALL(UD(NULL, f->x, 2, G_OUT, 0));)
R(gan_update_d, "fake NULL", GAN_EINVAL, "fake", NULL, return CALL(UD(f->x, NULL, 2, G_OUT, 0));)
R(gan_update_d, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(UD(f->x, f->x, 0, G_OUT, 0));)
R(gan_update_d, "rows SIZE_MAX", GAN_EINVAL, "rows", NULL, return CALL(UD(f->x, f->x, SIZE_MAX, G_OUT, 0));)
R(gan_update_d, "rows 2^30 (2 x rows past int)", GAN_EINVAL, "rows", NULL, return CALL(UD(f->x, f->x, (size_t)1 << 30, G_OUT, 0));)
R(gan_update_d, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(UD(f->x, f->x, 2, G_OUT - 1, 0));)
R(gan_update_d, "unknown flag bit 2", GAN_EINVAL, "flags", NULL, return CALL(UD(f->x, f->x, 2, G_OUT, 2u));)
R(gan_update_d, "d_opt bound to g", GAN_EINVAL, "d_opt", NULL,
  return CALL(gan_update_d(&f->ss, f->d, f->g_opt, f->rng, f->x, f->x, 2, G_OUT, 0));)
R(gan_update_d, "rng NULL with dropout", GAN_EINVAL, "rng", NULL,
  return CALL(gan_update_d(&f->ss, f->d, f->d_opt, NULL, f->x, f->x, 2, G_OUT, 0));)
R(gan_update_d, "d not ending in one logit", GAN_ESHAPE, "d must end", NULL,
  return CALL(gan_update_d(&f->ss, f->g, f->g_opt, f->rng, f->z, f->z, 2, G_IN, 0));)
R(gan_update_d, "after a layer was added to d", GAN_ESTATE, NULL, NULL,
  SETUP(gan_net_add_dense(f->d, 1, GAN_ACT_SIGMOID)); return CALL(UD(f->x, f->x, 2, G_OUT, 0));)
R(gan_update_d, "NaN in real row 1", GAN_EINVAL, "real", NULL, return CALL(UD(poisoned(f, G_OUT, 1, 2, NAN), f->x, 3, G_OUT, 0));)
R(gan_update_d, "NaN in real row 1 names the row", GAN_EINVAL, "1", NULL, return CALL(UD(poisoned(f, G_OUT, 1, 2, NAN), f->x, 3, G_OUT, 0));)
R(gan_update_d, "NaN in fake row 2", GAN_EINVAL, "fake", NULL, return CALL(UD(f->x, poisoned(f, G_OUT, 2, 0, NAN), 3, G_OUT, 0));)
R(gan_update_d, "Inf in fake row 0", GAN_EINVAL, "fake", NULL, return CALL(UD(f->x, poisoned(f, G_OUT, 0, 5, INFINITY), 3, G_OUT, 0));)
R(gan_update_d, "-Inf in real row 2", GAN_EINVAL, "real", NULL, return CALL(UD(poisoned(f, G_OUT, 2, 0, -INFINITY), f->x, 3, G_OUT, 0));)
R(gan_update_d, "ReLU D: NaN in real row 1", GAN_EINVAL, "real row 1", NULL, return update_relu_d(f, 1, -1);)
R(gan_update_d, "ReLU D: NaN in fake row 2", GAN_EINVAL, "fake row 2", NULL, return update_relu_d(f, -1, 2);)
#undef UD
#define UG(z, rows, cols, loss) gan_update_g(&f->ss, f->g, f->g_opt, f->d, f->rng, z, rows, cols, loss)
R(gan_update_g, "g NULL", GAN_EINVAL, "g", NULL, return CALL(gan_update_g(&f->ss, NULL, f->g_opt, f->d, f->rng, f->z, 2, G_IN, 0));)
R(gan_update_g, "g_opt NULL", GAN_EINVAL, "g_opt", NULL, return CALL(gan_update_g(&f->ss, f->g, NULL, f->d, f->rng, f->z, 2, G_IN, 0));)
R(gan_update_g, "d NULL", GAN_EINVAL, "d", NULL, return CALL(gan_update_g(&f->ss, f->g, f->g_opt, NULL, f->rng, f->z, 2, G_IN, 0));)
R(gan_update_g, "z NULL", GAN_EINVAL, "z", NULL, return CALL(UG(NULL, 2, G_IN, 0));)
R(gan_update_g, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(UG(f->z, 0, G_IN, 0));)
R(gan_update_g, "rows SIZE_MAX", GAN_EINVAL, "rows", NULL, return CALL(UG(f->z, SIZE_MAX, G_IN, 0));)
R(gan_update_g, "z_cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(UG(f->z, 2, G_IN + 1, 0));)
R(gan_update_g, "g_loss 2", GAN_EUNSUPPORTED, "g_loss", NULL, return CALL(UG(f->z, 2, G_IN, 2));)
R(gan_update_g, "g_loss -1", GAN_EUNSUPPORTED, "g_loss", NULL, return CALL(UG(f->z, 2, G_IN, -1));)
R(gan_update_g, "g_opt bound to d", GAN_EINVAL, "g_opt", NULL, return CALL(gan_update_g(&f->ss, f->g, f->d_opt, f->d, f->rng, f->z, 2, G_IN, 0));)
R(gan_update_g, "g and d the same net", GAN_EINVAL, "same net", NULL, return CALL(gan_update_g(&f->ss, f->d, f->d_opt, f->d, f->rng, f->x, 2, G_OUT, 0));)
R(gan_update_g, "g's output does not fit d", GAN_ESHAPE, "width", NULL,
  SETUP(gan_net_add_dense(f->g, 3, 0)); return CALL(UG(f->z, 2, G_IN, 0));)
R(gan_update_g, "rng NULL with dropout in d", GAN_EINVAL, "rng", NULL,
  return CALL(gan_update_g(&f->ss, f->g, f->g_opt, f->d, NULL, f->z, 2, G_IN, 0));)
R(gan_update_g, "NaN in z row 1", GAN_EINVAL, "z", NULL, return CALL(UG(poisoned(f, G_IN, 1, 3, NAN), 3, G_IN, 0));)
R(gan_update_g, "NaN in z row 1 names the row", GAN_EINVAL, "1", NULL, return CALL(UG(poisoned(f, G_IN, 1, 3, NAN), 3, G_IN, 0));)
R(gan_update_g, "Inf in z row 0", GAN_EINVAL, "z", NULL, return CALL(UG(poisoned(f, G_IN, 0, 0, INFINITY), 3, G_IN, 0));)
#undef UG

/* ---- session ------------------------------------------------------------------------ */
R(gan_session_interrupt, "s NULL: GAN_EINVAL, no message (async-signal-safe)", GAN_OK, NULL, NULL,
  CALLV(NOTE_IF(gan_session_interrupt(NULL) != GAN_EINVAL, "not GAN_EINVAL"));)
R(gan_session_interrupt, "a pending request stops the next train call before it trains", GAN_OK, NULL, NULL,
  CALLV(const uint64_t it = gan_session_iteration(f->s);
        NOTE_IF(gan_session_interrupt(f->s) != GAN_OK, "not GAN_OK");
        NOTE_IF(gan_session_train(f->s, 3, NULL, NULL) != GAN_EABORTED, "train not aborted");
        NOTE_IF(gan_session_iteration(f->s) != it, "trained after the request");
        gan_error_clear());)
R(gan_session_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_session_options_init(NULL, GAN_SESSION_OPTIONS_VERSION));)
R(gan_session_options_init, "version 0", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_session_options_init(&f->so, 0));)
R(gan_session_options_init, "version 4", GAN_EUNSUPPORTED, "version", NULL, return CALL(gan_session_options_init(&f->so, 4));)
R(gan_session_options_init, "version 2 fills only its fields", GAN_OK, NULL, NULL,
  CALLV(f->so.d_r1_gamma = 0.75f; NOTE_IF(gan_session_options_init(&f->so, 2) != GAN_OK || f->so.version != 2 || f->so.d_r1_gamma != 0.75f, "wrote past the version-2 fields"));)
R(gan_session_options_init, "version 1 fills only its fields", GAN_OK, NULL, NULL,
  CALLV(f->so.real_label = 0.75f; NOTE_IF(gan_session_options_init(&f->so, 1) != GAN_OK || f->so.version != 1 || f->so.real_label != 0.75f, "wrote past the version-1 fields"));)
#define SC(out, g, d, go, dop, data, o) gan_session_create(out, g, d, go, dop, data, o)
R(gan_session_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(SC(NULL, f->g, f->d, f->g_opt, f->d_opt, f->data, &f->so));)
R(gan_session_create, "g NULL", GAN_EINVAL, "g", NULL, gan_session *s; return CALL(SC(&s, NULL, f->d, f->g_opt, f->d_opt, f->data, &f->so));)
R(gan_session_create, "d NULL", GAN_EINVAL, "d", NULL, gan_session *s; return CALL(SC(&s, f->g, NULL, f->g_opt, f->d_opt, f->data, &f->so));)
R(gan_session_create, "g_opt NULL", GAN_EINVAL, "g_opt", NULL, gan_session *s; return CALL(SC(&s, f->g, f->d, NULL, f->d_opt, f->data, &f->so));)
R(gan_session_create, "d_opt NULL", GAN_EINVAL, "d_opt", NULL, gan_session *s; return CALL(SC(&s, f->g, f->d, f->g_opt, NULL, f->data, &f->so));)
R(gan_session_create, "data NULL", GAN_EINVAL, "data", NULL, gan_session *s; return CALL(SC(&s, f->g, f->d, f->g_opt, f->d_opt, NULL, &f->so));)
R(gan_session_create, "opts NULL", GAN_EINVAL, "opts", NULL, gan_session *s; return CALL(SC(&s, f->g, f->d, f->g_opt, f->d_opt, f->data, NULL));)
R(gan_session_create, "optimizers swapped", GAN_EINVAL, "g_opt", NULL, gan_session *s; return CALL(SC(&s, f->g, f->d, f->d_opt, f->g_opt, f->data, &f->so));)
R(gan_session_create, "g and d the same net", GAN_EINVAL, "same net", NULL, gan_session *s; return CALL(SC(&s, f->d, f->d, f->d_opt, f->d_opt, f->data, &f->so));)
R(gan_session_create, "data of another width", GAN_ESHAPE, "data width", NULL,
  gan_dataset *ds; SETUP(gan_dataset_create(&ds, f->x, 4, G_OUT - 1)); gan_session *s = NULL;
  int rc = CALL(SC(&s, f->g, f->d, f->g_opt, f->d_opt, ds, &f->so)); gan_session_free(s); gan_dataset_free(ds); return rc;)
#define SO_ROW(label, code, text, field, value) \
  R(gan_session_create, "opts: " label, code, text, NULL, gan_session *s = NULL; f->so.field = value; \
    int rc = CALL(SC(&s, f->g, f->d, f->g_opt, f->d_opt, f->data, &f->so)); NOTE_IF(s != NULL, "*out set"); gan_session_free(s); return rc;)
SO_ROW("version 0", GAN_EUNSUPPORTED, "version", version, 0)
SO_ROW("version 4", GAN_EUNSUPPORTED, "version", version, 4)
SO_ROW("batch_size 0", GAN_EINVAL, "batch_size", batch_size, 0)
SO_ROW("d_r1_gamma negative", GAN_EINVAL, "d_r1_gamma", d_r1_gamma, -1.0f)
SO_ROW("d_r1_gamma NaN", GAN_EINVAL, "d_r1_gamma", d_r1_gamma, NAN)
SO_ROW("d_r1_gamma Inf", GAN_EINVAL, "d_r1_gamma", d_r1_gamma, INFINITY)
SO_ROW("batch_size UINT32_MAX", GAN_EINVAL, "batch_size", batch_size, UINT32_MAX)
SO_ROW("k 0", GAN_EINVAL, "k", k, 0)
SO_ROW("g_loss 2", GAN_EUNSUPPORTED, "g_loss", g_loss, 2)
SO_ROW("noise_kind 2", GAN_EUNSUPPORTED, "noise_kind", noise_kind, 2)
SO_ROW("noise_scale 0", GAN_EINVAL, "noise_scale", noise_scale, 0.0f)
SO_ROW("noise_scale NaN", GAN_EINVAL, "noise_scale", noise_scale, NAN)
SO_ROW("noise_scale Inf", GAN_EINVAL, "noise_scale", noise_scale, INFINITY)
SO_ROW("noise_scale negative", GAN_EINVAL, "noise_scale", noise_scale, -1.0f)
SO_ROW("noise_width 0", GAN_EINVAL, "noise_width", noise_width, 0)
SO_ROW("noise_width differs from g", GAN_ESHAPE, "noise_width", noise_width, G_IN + 1)
SO_ROW("update_order 2", GAN_EUNSUPPORTED, "update_order", update_order, 2)
SO_ROW("threads 17", GAN_EINVAL, "threads", threads, 17)
SO_ROW("threads UINT32_MAX", GAN_EINVAL, "threads", threads, UINT32_MAX)
SO_ROW("g_average_decay 1", GAN_EINVAL, "g_average_decay", g_average_decay, 1.0f)
SO_ROW("g_average_decay negative", GAN_EINVAL, "g_average_decay", g_average_decay, -0.5f)
SO_ROW("g_average_decay NaN", GAN_EINVAL, "g_average_decay", g_average_decay, NAN)
SO_ROW("real_label 0.4", GAN_EINVAL, "real_label", real_label, 0.4f)
SO_ROW("real_label above 1", GAN_EINVAL, "real_label", real_label, 1.5f)
SO_ROW("real_label NaN", GAN_EINVAL, "real_label", real_label, NAN)
SO_ROW("cond_width UINT32_MAX", GAN_EINVAL, "cond_width", cond_width, UINT32_MAX)
SO_ROW("cond_width 2 with nets of an ordinary GAN", GAN_ESHAPE, "cond_width", cond_width, 2)
#undef SO_ROW
R(gan_session_create, "opts: simultaneous with k 2", GAN_EINVAL, "k", NULL,
  gan_session *s = NULL; f->so.update_order = GAN_ORDER_SIMULTANEOUS; f->so.k = 2;
  int rc = CALL(SC(&s, f->g, f->d, f->g_opt, f->d_opt, f->data, &f->so)); gan_session_free(s); return rc;)
#undef SC
R(gan_session_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_session_free(NULL));)
R(gan_session_step, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_step(&f->stats, NULL));)
R(gan_session_step, "after a layer was added to g", GAN_ESHAPE, "width", NULL,
  SETUP(gan_net_add_dense(f->g, 3, 0)); return CALL(gan_session_step(&f->stats, f->s));)
R(gan_session_step, "after a layer was added to d", GAN_ESHAPE, "d must end", NULL,
  SETUP(gan_net_add_dense(f->d, 2, 0)); return CALL(gan_session_step(&f->stats, f->s));)
R(gan_session_step, "nets poisoned through the API", GAN_EDIVERGED, "NaN", NULL,
  size_t n = gan_net_num_params(f->g); SETUP(gan_net_get_params(f->out, n, f->g)); f->out[0] = NAN;
  SETUP(gan_net_set_params(f->g, f->out, n)); return CALL(gan_session_step(&f->stats, f->s));)
R(gan_session_train, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_train(NULL, 3, NULL, NULL));)
R(gan_session_train, "0 iterations", GAN_OK, NULL, NULL, return CALL(gan_session_train(f->s, 0, NULL, NULL));)
R(gan_session_train, "stopped by the callback", GAN_EABORTED, "callback", NULL,
  f->may_change = 1; return CALL(gan_session_train(f->s, 5, stop_at_once, NULL));)
R(gan_session_train, "after a layer was added to g", GAN_ESHAPE, NULL, NULL,
  SETUP(gan_net_add_dense(f->g, 3, 0)); return CALL(gan_session_train(f->s, 2, NULL, NULL));)
R(gan_session_train_epochs, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_train_epochs(NULL, 1, NULL, NULL));)
R(gan_session_train_epochs, "UINT64_MAX after one epoch", GAN_EINVAL, "epochs", NULL,
  SETUP(gan_session_train_epochs(f->s, 1, NULL, NULL)); return CALL(gan_session_train_epochs(f->s, UINT64_MAX, NULL, NULL));)
R(gan_session_train_epochs, "stopped by the callback", GAN_EABORTED, "callback", NULL,
  f->may_change = 1; return CALL(gan_session_train_epochs(f->s, 1, stop_at_once, NULL));)
R(gan_session_iteration, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_session_iteration(NULL) != 0, "not 0"));)
R(gan_session_epoch, "NULL gives 0", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_session_epoch(NULL) != 0, "not 0"));)
R(gan_session_noise, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_session_noise(NULL, 2, G_IN, f->s));)
R(gan_session_noise, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_noise(f->out, 2, G_IN, NULL));)
R(gan_session_noise, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_session_noise(f->out, 0, G_IN, f->s));)
R(gan_session_noise, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(gan_session_noise(f->out, 2, G_IN + 1, f->s));)
R(gan_session_noise, "rows x cols overflows", GAN_EINVAL, "overflow", NULL, return CALL(gan_session_noise(f->out, SIZE_MAX / 2, G_IN, f->s));)
R(gan_session_sample, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_session_sample(NULL, 2, G_OUT, f->s, NULL));)
R(gan_session_sample, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_sample(f->out, 2, G_OUT, NULL, NULL));)
R(gan_session_sample, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_session_sample(f->out, 0, G_OUT, f->s, NULL));)
R(gan_session_sample, "cols mismatch", GAN_ESHAPE, "cols", NULL, return CALL(gan_session_sample(f->out, 2, G_OUT + 1, f->s, NULL));)
R(gan_session_sample, "rows SIZE_MAX, z NULL", GAN_EINVAL, "rows", NULL, return CALL(gan_session_sample(f->out, SIZE_MAX, G_OUT, f->s, NULL));)
R(gan_session_sample, "rows 2^31, z NULL: refused before drawing", GAN_EINVAL, "rows", NULL,
  /* 2^31 noise rows of width 4096 would be 32 TiB: refused at once, not
   * after an allocation attempt. */
  gan_net *g; gan_net *d; gan_optimizer *go, *dopt; gan_session *s;
  SETUP(gan_net_create(&g, 4096)); SETUP(gan_net_add_dense(g, G_OUT, GAN_ACT_SIGMOID));
  SETUP(gan_net_create(&d, G_OUT)); SETUP(gan_net_add_dense(d, 1, 0));
  SETUP(gan_optimizer_create(&go, g, &f->oo)); SETUP(gan_optimizer_create(&dopt, d, &f->oo));
  f->so.noise_width = 4096; SETUP(gan_session_create(&s, g, d, go, dopt, f->data, &f->so));
  int rc = CALL(gan_session_sample(f->out, (size_t)INT32_MAX + 1, G_OUT, s, NULL));
  gan_session_free(s); gan_optimizer_free(go); gan_optimizer_free(dopt); gan_net_free(g); gan_net_free(d);
  return rc;)
R(gan_session_sample, "rows 2^31 with z", GAN_EINVAL, "rows", NULL,
  return CALL(gan_session_sample(f->out, (size_t)INT32_MAX + 1, G_OUT, f->s, f->z));)
R(gan_session_average_net, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_session_average_net(NULL, f->s));)
R(gan_session_average_net, "s NULL", GAN_EINVAL, "s", NULL, const gan_net *n; return CALL(gan_session_average_net(&n, NULL));)
R(gan_session_average_net, "no average kept", GAN_ESTATE, "g_average_decay", NULL,
  const gan_net *n = f->g; int rc = CALL(gan_session_average_net(&n, f->s)); NOTE_IF(n != NULL, "*out not NULL"); return rc;)
R(gan_session_sample_average, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_sample_average(f->out, 2, G_OUT, NULL, NULL));)
R(gan_session_sample_average, "no average kept", GAN_ESTATE, "g_average_decay", NULL,
  return CALL(gan_session_sample_average(f->out, 2, G_OUT, f->s, NULL));)
/* The next rows need a session that keeps an average of G. */
#define AVG_ROW(label, code, text, call) \
  R(gan_session_sample_average, label, code, text, NULL, \
    gan_session *s = NULL; f->so.g_average_decay = 0.5f; \
    SETUP(gan_session_create(&s, f->g, f->d, f->g_opt, f->d_opt, f->data, &f->so)); \
    int rc = CALL(call); gan_session_free(s); return rc;)
AVG_ROW("out NULL", GAN_EINVAL, "out", gan_session_sample_average(NULL, 2, G_OUT, s, NULL))
AVG_ROW("rows 0", GAN_EINVAL, "rows", gan_session_sample_average(f->out, 0, G_OUT, s, NULL))
AVG_ROW("cols mismatch", GAN_ESHAPE, "cols", gan_session_sample_average(f->out, 2, G_OUT + 1, s, NULL))
AVG_ROW("rows 2^31 with z", GAN_EINVAL, "rows", gan_session_sample_average(f->out, (size_t)INT32_MAX + 1, G_OUT, s, f->z))
#undef AVG_ROW
R(gan_session_sample_cond, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_sample_cond(f->out, 2, G_OUT, NULL, NULL, f->x, 0));)
R(gan_session_sample_cond, "not a conditional session", GAN_ESTATE, "cond_width", NULL,
  return CALL(gan_session_sample_cond(f->out, 2, G_OUT, f->s, NULL, f->x, 0));)
/* The next rows need a conditional session: G (G_IN + 2) -> G_OUT, D and
 * the data G_OUT + 2 wide. */
#define COND_ROW(label, code, text, call) \
  R(gan_session_sample_cond, label, code, text, NULL, \
    gan_net *g = NULL, *d = NULL; gan_optimizer *go = NULL, *dopt = NULL; gan_dataset *ds = NULL; gan_session *s = NULL; \
    SETUP(gan_net_create(&g, G_IN + 2)); SETUP(gan_net_add_dense(g, G_OUT, GAN_ACT_SIGMOID)); \
    SETUP(gan_net_create(&d, G_OUT + 2)); SETUP(gan_net_add_dense(d, 1, GAN_ACT_SIGMOID)); \
    SETUP(gan_optimizer_create(&go, g, &f->oo)); SETUP(gan_optimizer_create(&dopt, d, &f->oo)); \
    SETUP(gan_dataset_create(&ds, f->x, 4, G_OUT + 2)); f->so.cond_width = 2; \
    SETUP(gan_session_create(&s, g, d, go, dopt, ds, &f->so)); \
    int rc = CALL(call); gan_session_free(s); gan_optimizer_free(go); gan_optimizer_free(dopt); \
    gan_net_free(g); gan_net_free(d); gan_dataset_free(ds); return rc;)
COND_ROW("out NULL", GAN_EINVAL, "out", gan_session_sample_cond(NULL, 2, G_OUT, s, NULL, f->x, 0))
COND_ROW("c NULL", GAN_EINVAL, "c", gan_session_sample_cond(f->out, 2, G_OUT, s, NULL, NULL, 0))
COND_ROW("rows 0", GAN_EINVAL, "rows", gan_session_sample_cond(f->out, 0, G_OUT, s, NULL, f->x, 0))
COND_ROW("cols mismatch", GAN_ESHAPE, "cols", gan_session_sample_cond(f->out, 2, G_OUT + 2, s, NULL, f->x, 0))
COND_ROW("unknown flag bit 2", GAN_EINVAL, "flags", gan_session_sample_cond(f->out, 2, G_OUT, s, NULL, f->x, 2u))
COND_ROW("GAN_SAMPLE_AVERAGE without an average", GAN_ESTATE, "g_average_decay",
         gan_session_sample_cond(f->out, 2, G_OUT, s, NULL, f->x, GAN_SAMPLE_AVERAGE))
COND_ROW("NaN in c", GAN_EINVAL, "c row 1", gan_session_sample_cond(f->out, 2, G_OUT, s, NULL, poisoned(f, 2, 1, 1, NAN), 0))
COND_ROW("rows 2^31 with z", GAN_EINVAL, "rows", gan_session_sample_cond(f->out, (size_t)INT32_MAX + 1, G_OUT, s, f->z, f->x, 0))
COND_ROW("gan_session_sample refuses it", GAN_ESTATE, "gan_session_sample_cond", gan_session_sample(f->out, 2, G_OUT, s, NULL))
#undef COND_ROW
R(gan_session_save, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_save(NULL, PATH(P_OUT)));)
R(gan_session_save, "path NULL", GAN_EINVAL, "path", NULL, return CALL(gan_session_save(f->s, NULL));)
R(gan_session_save, "path empty", GAN_EINVAL, "path", NULL, return CALL(gan_session_save(f->s, ""));)
R(gan_session_save, "path is a folder", GAN_EIO, NULL, NULL, return CALL(gan_session_save(f->s, PATH(P_DIR)));)
R(gan_session_save, "path is a FIFO", GAN_EIO, NULL, NULL, return CALL(gan_session_save(f->s, fresh_special(f, P_FIFO)));)
R(gan_session_save, "path is a device node", GAN_EIO, NULL, NULL,
  return CALL(gan_session_save(f->s, fresh_special(f, P_DEV)));)
R(gan_session_save, "folder is a regular file", GAN_EIO, NULL, NULL, return CALL(gan_session_save(f->s, PATH(P_UNDER_FILE)));)
R(gan_session_load, "s NULL", GAN_EINVAL, "s", NULL, return CALL(gan_session_load(NULL, PATH(P_CKPT)));)
R(gan_session_load, "path NULL", GAN_EINVAL, "path", NULL, return CALL(gan_session_load(f->s, NULL));)
R(gan_session_load, "path empty", GAN_EINVAL, "path", NULL, return CALL(gan_session_load(f->s, ""));)
R(gan_session_load, "missing file", GAN_EIO, "No such file", NULL, return CALL(gan_session_load(f->s, PATH(P_MISSING)));)
R(gan_session_load, "missing file, 600-character path", GAN_EIO, "No such file", NULL, return CALL(gan_session_load(f->s, PATH(P_LONG_MISSING)));)
R(gan_session_load, "a folder", GAN_EIO, "directory", NULL, return CALL(gan_session_load(f->s, PATH(P_DIR)));)
R(gan_session_load, "a FIFO", GAN_EIO, "regular", NULL, return CALL(gan_session_load(f->s, PATH(P_FIFO)));)
R(gan_session_load, "/dev/zero", GAN_EIO, "regular", NULL, return CALL(gan_session_load(f->s, PATH(P_DEV_ZERO)));)
R(gan_session_load, "empty file", GAN_EFORMAT, NULL, NULL, return CALL(gan_session_load(f->s, PATH(P_EMPTY)));)
R(gan_session_load, "truncated file", GAN_EFORMAT, NULL, NULL, return CALL(gan_session_load(f->s, PATH(P_CKPT_TRUNC)));)
R(gan_session_load, "under a regular file", GAN_EIO, NULL, NULL, return CALL(gan_session_load(f->s, PATH(P_UNDER_FILE)));)
R(gan_session_load, "a net file, not a checkpoint", GAN_EFORMAT, "magic", NULL, return CALL(gan_session_load(f->s, PATH(P_NET)));)
R(gan_session_load, "another seed names the option", GAN_ESHAPE, "seed", NULL, return CALL(gan_session_load(f->s, PATH(P_CKPT_SEED2)));)
R(gan_session_load, "NaN in D's weights", GAN_EFORMAT, "NaN", NULL, return CALL(gan_session_load(f->s, PATH(P_CKPT_NAN)));)
R(gan_session_load, "nets of another shape", GAN_ESHAPE, "nets", NULL,
  SETUP(gan_net_add_dense(f->g, 3, 0)); return CALL(gan_session_load(f->s, PATH(P_CKPT)));)

/* ---- Parzen ------------------------------------------------------------------- */
R(gan_parzen_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_parzen_create(NULL, f->x, 4, G_OUT));)
R(gan_parzen_create, "samples NULL", GAN_EINVAL, "samples", NULL, gan_parzen *p; return CALL(gan_parzen_create(&p, NULL, 4, G_OUT));)
R(gan_parzen_create, "n 0", GAN_EINVAL, "n", NULL, gan_parzen *p; return CALL(gan_parzen_create(&p, f->x, 0, G_OUT));)
R(gan_parzen_create, "d 0", GAN_EINVAL, "d", NULL, gan_parzen *p; return CALL(gan_parzen_create(&p, f->x, 4, 0));)
R(gan_parzen_create, "n x d too many", GAN_EINVAL, "too many", NULL, gan_parzen *p; return CALL(gan_parzen_create(&p, f->x, SIZE_MAX / 2, 4));)
R(gan_parzen_create, "NaN sample row 2", GAN_EINVAL, "row 2", NULL,
  gan_parzen *p; return CALL(gan_parzen_create(&p, poisoned(f, G_OUT, 2, 1, NAN), 4, G_OUT));)
R(gan_parzen_create, "huge sample value", GAN_EINVAL, "row 0", NULL,
  gan_parzen *p; return CALL(gan_parzen_create(&p, poisoned(f, G_OUT, 0, 1, FLT_MAX), 4, G_OUT));)
R(gan_parzen_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_parzen_free(NULL));)
R(gan_parzen_set_block_rows, "p NULL", GAN_EINVAL, "p", NULL, return CALL(gan_parzen_set_block_rows(NULL, 16));)
R(gan_parzen_set_block_rows, "block_rows 0", GAN_EINVAL, "block_rows", NULL, return CALL(gan_parzen_set_block_rows(f->p, 0));)
R(gan_parzen_set_block_rows, "block_rows overflows", GAN_EINVAL, "block_rows", NULL, return CALL(gan_parzen_set_block_rows(f->p, SIZE_MAX / 2));)
#define PLL(x, rows, cols, sigma) gan_parzen_log_likelihood(f->dout, &f->dout[100], &f->dout[101], f->p, x, rows, cols, sigma)
R(gan_parzen_log_likelihood, "p NULL", GAN_EINVAL, "p", NULL, return CALL(gan_parzen_log_likelihood(NULL, NULL, NULL, NULL, f->x, 2, G_OUT, 0.2));)
R(gan_parzen_log_likelihood, "x NULL", GAN_EINVAL, "x", NULL, return CALL(PLL(NULL, 2, G_OUT, 0.2));)
R(gan_parzen_log_likelihood, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(PLL(f->x, 0, G_OUT, 0.2));)
R(gan_parzen_log_likelihood, "cols 0", GAN_EINVAL, "cols", NULL, return CALL(PLL(f->x, 2, 0, 0.2));)
R(gan_parzen_log_likelihood, "cols mismatch", GAN_ESHAPE, "columns", NULL, return CALL(PLL(f->x, 2, G_OUT - 1, 0.2));)
R(gan_parzen_log_likelihood, "rows overflow", GAN_EINVAL, "overflow", NULL, return CALL(PLL(f->x, SIZE_MAX / 2, G_OUT, 0.2));)
R(gan_parzen_log_likelihood, "sigma 0", GAN_EINVAL, "sigma", NULL, return CALL(PLL(f->x, 2, G_OUT, 0.0));)
R(gan_parzen_log_likelihood, "sigma negative", GAN_EINVAL, "sigma", NULL, return CALL(PLL(f->x, 2, G_OUT, -0.2));)
R(gan_parzen_log_likelihood, "sigma NaN", GAN_EINVAL, "sigma", NULL, return CALL(PLL(f->x, 2, G_OUT, NAN));)
R(gan_parzen_log_likelihood, "sigma Inf", GAN_EINVAL, "sigma", NULL, return CALL(PLL(f->x, 2, G_OUT, INFINITY));)
R(gan_parzen_log_likelihood, "NaN in x row 1", GAN_EINVAL, "row 1", NULL, return CALL(PLL(poisoned(f, G_OUT, 1, 0, NAN), 2, G_OUT, 0.2));)
#undef PLL
R(gan_parzen_select_sigma, "best_sigma NULL", GAN_EINVAL, "best_sigma", NULL, return CALL(gan_parzen_select_sigma(NULL, NULL, f->p, f->x, 2, G_OUT, sig3, 3));)
R(gan_parzen_select_sigma, "p NULL", GAN_EINVAL, "p", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, NULL, f->x, 2, G_OUT, sig3, 3));)
R(gan_parzen_select_sigma, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, NULL, 2, G_OUT, sig3, 3));)
R(gan_parzen_select_sigma, "sigmas NULL", GAN_EINVAL, "sigmas", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, G_OUT, NULL, 3));)
R(gan_parzen_select_sigma, "n_sigmas 0", GAN_EINVAL, "n_sigmas", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, G_OUT, sig3, 0));)
R(gan_parzen_select_sigma, "n_sigmas SIZE_MAX", GAN_EINVAL, "n_sigmas", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, G_OUT, sig3, SIZE_MAX));)
R(gan_parzen_select_sigma, "a negative sigma", GAN_EINVAL, "sigma", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, G_OUT, sig_bad, 3));)
R(gan_parzen_select_sigma, "a NaN sigma", GAN_EINVAL, "sigma", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, G_OUT, sig_nan, 3));)
R(gan_parzen_select_sigma, "cols mismatch", GAN_ESHAPE, "columns", NULL, return CALL(gan_parzen_select_sigma(f->dout, NULL, f->p, f->x, 2, 3, sig3, 3));)
R(gan_parzen_log_likelihood_sigmas, "mean NULL", GAN_EINVAL, "mean", NULL, return CALL(gan_parzen_log_likelihood_sigmas(NULL, NULL, f->p, f->x, 2, G_OUT, sig3, 3));)
R(gan_parzen_log_likelihood_sigmas, "p NULL", GAN_EINVAL, "p", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, NULL, f->x, 2, G_OUT, sig3, 3));)
R(gan_parzen_log_likelihood_sigmas, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, NULL, 2, G_OUT, sig3, 3));)
R(gan_parzen_log_likelihood_sigmas, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, f->x, 0, G_OUT, sig3, 3));)
R(gan_parzen_log_likelihood_sigmas, "sigmas NULL", GAN_EINVAL, "sigmas", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, f->x, 2, G_OUT, NULL, 3));)
R(gan_parzen_log_likelihood_sigmas, "n_sigmas 0", GAN_EINVAL, "n_sigmas", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, f->x, 2, G_OUT, sig3, 0));)
R(gan_parzen_log_likelihood_sigmas, "a NaN sigma", GAN_EINVAL, "sigma", NULL, return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, f->x, 2, G_OUT, sig_nan, 3));)
R(gan_parzen_log_likelihood_sigmas, "Inf in x", GAN_EINVAL, "row 0", NULL,
  return CALL(gan_parzen_log_likelihood_sigmas(f->dout, NULL, f->p, poisoned(f, G_OUT, 0, 0, INFINITY), 2, G_OUT, sig3, 3));)
R(gan_parzen_paper_grid, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_parzen_paper_grid(NULL, 10));)
R(gan_parzen_paper_grid, "n 0", GAN_EINVAL, "n", NULL, return CALL(gan_parzen_paper_grid(f->dout, 0));)
R(gan_parzen_paper_grid, "n 1", GAN_EINVAL, "n", NULL, return CALL(gan_parzen_paper_grid(f->dout, 1));)

/* ---- evaluation helpers ---------------------------------------------------------- */
#define NN(q, qr, c, r, rr, rc) gan_nearest_neighbors(f->iout, f->out, q, qr, c, r, rr, rc)
R(gan_nearest_neighbors, "queries NULL", GAN_EINVAL, "queries", NULL, return CALL(NN(NULL, 2, G_OUT, f->x, 4, G_OUT));)
R(gan_nearest_neighbors, "ref NULL", GAN_EINVAL, "ref", NULL, return CALL(NN(f->x, 2, G_OUT, NULL, 4, G_OUT));)
R(gan_nearest_neighbors, "q_rows 0", GAN_EINVAL, "q_rows", NULL, return CALL(NN(f->x, 0, G_OUT, f->x, 4, G_OUT));)
R(gan_nearest_neighbors, "cols 0", GAN_EINVAL, "cols", NULL, return CALL(NN(f->x, 2, 0, f->x, 4, G_OUT));)
R(gan_nearest_neighbors, "ref_rows 0", GAN_EINVAL, "ref_rows", NULL, return CALL(NN(f->x, 2, G_OUT, f->x, 0, G_OUT));)
R(gan_nearest_neighbors, "ref_cols 0", GAN_EINVAL, "ref_cols", NULL, return CALL(NN(f->x, 2, G_OUT, f->x, 4, 0));)
R(gan_nearest_neighbors, "cols differ", GAN_ESHAPE, "columns", NULL, return CALL(NN(f->x, 2, G_OUT, f->x, 4, G_OUT - 1));)
R(gan_nearest_neighbors, "q_rows overflow", GAN_EINVAL, "too many", NULL, return CALL(NN(f->x, SIZE_MAX / 2, G_OUT, f->x, 4, G_OUT));)
R(gan_nearest_neighbors, "NaN query row 1", GAN_EINVAL, "queries row 1", NULL, return CALL(NN(poisoned(f, G_OUT, 1, 1, NAN), 2, G_OUT, f->x, 4, G_OUT));)
R(gan_nearest_neighbors, "Inf ref row 3", GAN_EINVAL, "ref row 3", NULL, return CALL(NN(f->x, 2, G_OUT, poisoned(f, G_OUT, 3, 1, INFINITY), 4, G_OUT));)
#undef NN
#define PNG(path, img, gr, gc, h, w, last) gan_png_write_grid(path, img, gr, gc, h, w, last)
R(gan_png_write_grid, "path NULL", GAN_EINVAL, "path", NULL, return CALL(PNG(NULL, f->x, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "images NULL", GAN_EINVAL, "images", NULL, return CALL(PNG(PATH(P_OUT), NULL, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "path empty", GAN_EINVAL, "path", NULL, return CALL(PNG("", f->x, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "grid_rows 0", GAN_EINVAL, "grid_rows", NULL, return CALL(PNG(PATH(P_OUT), f->x, 0, 2, 2, 3, NULL));)
R(gan_png_write_grid, "grid_cols 0", GAN_EINVAL, "grid_cols", NULL, return CALL(PNG(PATH(P_OUT), f->x, 2, 0, 2, 3, NULL));)
R(gan_png_write_grid, "h 0", GAN_EINVAL, "h", NULL, return CALL(PNG(PATH(P_OUT), f->x, 2, 2, 0, 3, NULL));)
R(gan_png_write_grid, "w 0", GAN_EINVAL, "w", NULL, return CALL(PNG(PATH(P_OUT), f->x, 2, 2, 2, 0, NULL));)
R(gan_png_write_grid, "more than PNG's side", GAN_EINVAL, "pixels", NULL, return CALL(PNG(PATH(P_OUT), f->x, 2, 2, SIZE_MAX / 4, 3, NULL));)
R(gan_png_write_grid, "w x grid_cols overflows", GAN_EINVAL, "pixels", NULL, return CALL(PNG(PATH(P_OUT), f->x, 2, SIZE_MAX / 2, 2, 3, NULL));)
R(gan_png_write_grid, "path is a folder", GAN_EIO, NULL, NULL, return CALL(PNG(PATH(P_DIR), f->x, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "path is a FIFO", GAN_EIO, NULL, NULL, return CALL(PNG(fresh_special(f, P_FIFO), f->x, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "path is a device node", GAN_EIO, NULL, NULL,
  return CALL(PNG(fresh_special(f, P_DEV), f->x, 2, 2, 2, 3, NULL));)
R(gan_png_write_grid, "folder is a regular file", GAN_EIO, NULL, NULL, return CALL(PNG(PATH(P_UNDER_FILE), f->x, 2, 2, 2, 3, NULL));)
#undef PNG
R(gan_interpolate, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_interpolate(NULL, 5, f->x, 2, 3, 4));)
R(gan_interpolate, "anchors NULL", GAN_EINVAL, "anchors", NULL, return CALL(gan_interpolate(f->out, 5, NULL, 2, 3, 4));)
R(gan_interpolate, "cols 0", GAN_EINVAL, "cols", NULL, return CALL(gan_interpolate(f->out, 5, f->x, 2, 0, 4));)
R(gan_interpolate, "steps 0", GAN_EINVAL, "steps", NULL, return CALL(gan_interpolate(f->out, 5, f->x, 2, 3, 0));)
R(gan_interpolate, "one anchor", GAN_EINVAL, "n_anchors", NULL, return CALL(gan_interpolate(f->out, 1, f->x, 1, 3, 4));)
R(gan_interpolate, "out_rows mismatch", GAN_ESHAPE, "out_rows", NULL, return CALL(gan_interpolate(f->out, 6, f->x, 2, 3, 4));)
R(gan_interpolate, "steps overflow", GAN_EINVAL, "overflow", NULL, return CALL(gan_interpolate(f->out, 5, f->x, 3, 3, SIZE_MAX / 2));)
R(gan_interpolate, "NaN anchor 1", GAN_EINVAL, "anchor 1", NULL, return CALL(gan_interpolate(f->out, 5, poisoned(f, 3, 1, 2, NAN), 2, 3, 4));)
R(gan_toy_coverage, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_toy_coverage(NULL, &f->toy, f->x, 4, 2, 1));)
R(gan_toy_coverage, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_toy_coverage(&f->cov, NULL, f->x, 4, 2, 1));)
R(gan_toy_coverage, "samples NULL", GAN_EINVAL, "samples", NULL, return CALL(gan_toy_coverage(&f->cov, &f->toy, NULL, 4, 2, 1));)
R(gan_toy_coverage, "rows 0", GAN_EINVAL, "rows", NULL, return CALL(gan_toy_coverage(&f->cov, &f->toy, f->x, 0, 2, 1));)
R(gan_toy_coverage, "min_count 0", GAN_EINVAL, "min_count", NULL, return CALL(gan_toy_coverage(&f->cov, &f->toy, f->x, 4, 2, 0));)
R(gan_toy_coverage, "cols 1 for a 2-D toy", GAN_ESHAPE, "cols", NULL, return CALL(gan_toy_coverage(&f->cov, &f->toy, f->x, 4, 1, 1));)
R(gan_toy_coverage, "bad kind", GAN_EUNSUPPORTED, "kind", NULL, f->toy.kind = 3; return CALL(gan_toy_coverage(&f->cov, &f->toy, f->x, 4, 2, 1));)

/* ---- own data: PNG folders, NPY, CSV, scaling ----------------------------- */
R(gan_png_dir_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_png_dir_options_init(NULL, GAN_PNG_DIR_OPTIONS_VERSION));)
R(gan_png_dir_options_init, "version 0", GAN_EUNSUPPORTED, "version", NULL,
  gan_png_dir_options o; return CALL(gan_png_dir_options_init(&o, 0));)
R(gan_dataset_load_png_dir, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_load_png_dir(NULL, PATH(P_DIR), NULL));)
R(gan_dataset_load_png_dir, "path NULL", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_png_dir(&ds, NULL, NULL));)
R(gan_dataset_load_png_dir, "path empty", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_png_dir(&ds, "", NULL));)
R(gan_dataset_load_png_dir, "bad version", GAN_EUNSUPPORTED, "version", NULL,
  gan_dataset *ds; gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT; o.version = 9;
  return CALL(gan_dataset_load_png_dir(&ds, PATH(P_DIR), &o));)
R(gan_dataset_load_png_dir, "alpha 2", GAN_EINVAL, "alpha", NULL,
  gan_dataset *ds; gan_png_dir_options o = GAN_PNG_DIR_OPTIONS_INIT; o.alpha = 2;
  return CALL(gan_dataset_load_png_dir(&ds, PATH(P_DIR), &o));)
R(gan_dataset_load_png_dir, "missing folder", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_png_dir(&ds, PATH(P_MISSING), NULL));)
R(gan_dataset_load_png_dir, "a regular file", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_png_dir(&ds, PATH(P_NET), NULL));)
R(gan_dataset_load_png_dir, "a folder without images", GAN_EFORMAT, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_png_dir(&ds, PATH(P_DIR), NULL));)
R(gan_dataset_load_npy, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_load_npy(NULL, PATH(P_NET)));)
R(gan_dataset_load_npy, "path NULL", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, NULL));)
R(gan_dataset_load_npy, "path empty", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, ""));)
R(gan_dataset_load_npy, "missing file", GAN_EIO, "No such file", NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_MISSING)));)
R(gan_dataset_load_npy, "a folder", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_DIR)));)
R(gan_dataset_load_npy, "a FIFO", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_FIFO)));)
R(gan_dataset_load_npy, "/dev/zero", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_DEV_ZERO)));)
R(gan_dataset_load_npy, "empty file", GAN_EFORMAT, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_EMPTY)));)
R(gan_dataset_load_npy, "a net file", GAN_EFORMAT, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_npy(&ds, PATH(P_NET)));)
R(gan_csv_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_csv_options_init(NULL, GAN_CSV_OPTIONS_VERSION));)
R(gan_csv_options_init, "version 2", GAN_EUNSUPPORTED, "version", NULL,
  gan_csv_options o; return CALL(gan_csv_options_init(&o, 2));)
R(gan_dataset_load_csv, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_load_csv(NULL, PATH(P_NET), NULL));)
R(gan_dataset_load_csv, "path NULL", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, NULL, NULL));)
R(gan_dataset_load_csv, "path empty", GAN_EINVAL, "path", NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, "", NULL));)
R(gan_dataset_load_csv, "bad version", GAN_EUNSUPPORTED, "version", NULL,
  gan_dataset *ds; gan_csv_options o = GAN_CSV_OPTIONS_INIT; o.version = 0;
  return CALL(gan_dataset_load_csv(&ds, PATH(P_EMPTY), &o));)
R(gan_dataset_load_csv, "label_column -2", GAN_EINVAL, "label_column", NULL,
  gan_dataset *ds; gan_csv_options o = GAN_CSV_OPTIONS_INIT; o.label_column = -2;
  return CALL(gan_dataset_load_csv(&ds, PATH(P_EMPTY), &o));)
R(gan_dataset_load_csv, "delimiter 'x'", GAN_EINVAL, "delimiter", NULL,
  gan_dataset *ds; gan_csv_options o = GAN_CSV_OPTIONS_INIT; o.delimiter = 'x';
  return CALL(gan_dataset_load_csv(&ds, PATH(P_EMPTY), &o));)
R(gan_dataset_load_csv, "missing file", GAN_EIO, "No such file", NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, PATH(P_MISSING), NULL));)
R(gan_dataset_load_csv, "a folder", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, PATH(P_DIR), NULL));)
R(gan_dataset_load_csv, "a FIFO", GAN_EIO, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, PATH(P_FIFO), NULL));)
R(gan_dataset_load_csv, "empty file", GAN_EFORMAT, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, PATH(P_EMPTY), NULL));)
R(gan_dataset_load_csv, "a net file", GAN_EFORMAT, NULL, NULL, gan_dataset *ds; return CALL(gan_dataset_load_csv(&ds, PATH(P_NET), NULL));)
#define CIFAR(...) gan_dataset *ds; const char *ps[] = {__VA_ARGS__}; \
    return CALL(gan_dataset_load_cifar10(&ds, ps, sizeof ps / sizeof ps[0]));
R(gan_dataset_load_cifar10, "out NULL", GAN_EINVAL, "out", NULL,
  const char *ps[] = {PATH(P_NET)}; return CALL(gan_dataset_load_cifar10(NULL, ps, 1));)
R(gan_dataset_load_cifar10, "paths NULL", GAN_EINVAL, "paths", NULL,
  gan_dataset *ds; return CALL(gan_dataset_load_cifar10(&ds, NULL, 1));)
R(gan_dataset_load_cifar10, "n_paths 0", GAN_EINVAL, "n_paths", NULL,
  gan_dataset *ds; const char *ps[] = {PATH(P_NET)}; return CALL(gan_dataset_load_cifar10(&ds, ps, 0));)
R(gan_dataset_load_cifar10, "paths[1] NULL", GAN_EINVAL, "paths[1]", NULL, CIFAR(PATH(P_NET), NULL))
R(gan_dataset_load_cifar10, "paths[0] empty", GAN_EINVAL, "paths[0]", NULL, CIFAR(""))
R(gan_dataset_load_cifar10, "missing file", GAN_EIO, "No such file", NULL, CIFAR(PATH(P_MISSING)))
R(gan_dataset_load_cifar10, "a folder", GAN_EIO, NULL, NULL, CIFAR(PATH(P_DIR)))
R(gan_dataset_load_cifar10, "a FIFO", GAN_EIO, NULL, NULL, CIFAR(PATH(P_FIFO)))
R(gan_dataset_load_cifar10, "/dev/zero", GAN_EIO, NULL, NULL, CIFAR(PATH(P_DEV_ZERO)))
R(gan_dataset_load_cifar10, "empty file", GAN_EFORMAT, "empty", NULL, CIFAR(PATH(P_EMPTY)))
R(gan_dataset_load_cifar10, "a net file", GAN_EFORMAT, "records", NULL, CIFAR(PATH(P_NET)))
R(gan_dataset_load_cifar10, "an IDX file", GAN_EFORMAT, "records", NULL, CIFAR(PATH(P_IDX_IMG)))
#undef CIFAR
R(gan_scale, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_scale(NULL, 4, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC));)
R(gan_scale, "from 5", GAN_EINVAL, "from", NULL, return CALL(gan_scale(f->out, 4, 5, GAN_RANGE_SYMMETRIC));)
R(gan_scale, "to -1", GAN_EINVAL, "to", NULL, return CALL(gan_scale(f->out, 4, GAN_RANGE_UNIT, -1));)
R(gan_scale, "n 0 is a no-op", GAN_OK, NULL, NULL, return CALL(gan_scale(f->out, 0, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC));)
R(gan_dataset_scale, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_scale(NULL, f->data, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC));)
R(gan_dataset_scale, "src NULL", GAN_EINVAL, "src", NULL, gan_dataset *ds; return CALL(gan_dataset_scale(&ds, NULL, GAN_RANGE_UNIT, GAN_RANGE_SYMMETRIC));)
R(gan_dataset_scale, "from 2", GAN_EINVAL, "from", NULL, gan_dataset *ds; return CALL(gan_dataset_scale(&ds, f->data, 2, GAN_RANGE_SYMMETRIC));)
/* A labelled dataset: the toy's 8 modes are the labels. */
#define LABELLED(ds) SETUP(gan_dataset_create_toy(&ds, &f->toy, 16, f->rng))
R(gan_dataset_append_onehot, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_append_onehot(NULL, f->data, 10));)
R(gan_dataset_append_onehot, "src NULL", GAN_EINVAL, "src", NULL, gan_dataset *ds; return CALL(gan_dataset_append_onehot(&ds, NULL, 10));)
R(gan_dataset_append_onehot, "classes 0", GAN_EINVAL, "classes", NULL,
  gan_dataset *src, *ds = NULL; LABELLED(src); int rc = CALL(gan_dataset_append_onehot(&ds, src, 0)); gan_dataset_free(src); return rc;)
R(gan_dataset_append_onehot, "src without labels", GAN_EINVAL, "labels", NULL, gan_dataset *ds; return CALL(gan_dataset_append_onehot(&ds, f->data, 10));)
R(gan_dataset_append_onehot, "a label >= classes", GAN_EINVAL, "label", NULL,
  gan_dataset *src, *ds = NULL; LABELLED(src); int rc = CALL(gan_dataset_append_onehot(&ds, src, 2));
  NOTE_IF(ds != NULL, "*out set"); gan_dataset_free(src); return rc;)
R(gan_dataset_append_onehot, "classes UINT32_MAX: too wide", GAN_EINVAL, "too many", NULL,
  gan_dataset *src, *ds = NULL; LABELLED(src); int rc = CALL(gan_dataset_append_onehot(&ds, src, UINT32_MAX));
  gan_dataset_free(ds); gan_dataset_free(src); return rc;)
#undef LABELLED
R(gan_dataset_append_masked, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_append_masked(NULL, f->data, f->x, G_OUT));)
R(gan_dataset_append_masked, "src NULL", GAN_EINVAL, "src", NULL, gan_dataset *ds; return CALL(gan_dataset_append_masked(&ds, NULL, f->x, G_OUT));)
R(gan_dataset_append_masked, "mask NULL", GAN_EINVAL, "mask", NULL, gan_dataset *ds; return CALL(gan_dataset_append_masked(&ds, f->data, NULL, G_OUT));)
R(gan_dataset_append_masked, "cols differs from src", GAN_ESHAPE, "cols", NULL, gan_dataset *ds; return CALL(gan_dataset_append_masked(&ds, f->data, f->x, G_OUT + 1));)
R(gan_dataset_append_masked, "mask value 0.5", GAN_EINVAL, "mask[2]", NULL,
  float m[G_OUT] = {1, 0, 0.5f, 1, 0, 1}; gan_dataset *ds = NULL;
  int rc = CALL(gan_dataset_append_masked(&ds, f->data, m, G_OUT)); NOTE_IF(ds != NULL, "*out set"); return rc;)
R(gan_dataset_append_masked, "mask NaN", GAN_EINVAL, "mask[0]", NULL,
  float m[G_OUT] = {NAN, 0, 0, 1, 0, 1}; gan_dataset *ds; return CALL(gan_dataset_append_masked(&ds, f->data, m, G_OUT));)
R(gan_gcn_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_gcn_options_init(NULL, GAN_GCN_OPTIONS_VERSION));)
R(gan_gcn_options_init, "version 0", GAN_EUNSUPPORTED, "version", NULL,
  gan_gcn_options o; return CALL(gan_gcn_options_init(&o, 0));)
/* One options field set to value, for gan_gcn (GCN_ROW) and gan_dataset_gcn
 * (DGCN_ROW); rows are one a line (see R). */
#define GCN_ROW(name, code, text, field, value)                                  \
    R(gan_gcn, name, code, text, NULL,                                           \
      gan_gcn_options o = GAN_GCN_OPTIONS_INIT; o.field = value;                  \
      return CALL(gan_gcn(f->out, 2, 3, &o));)
#define DGCN_ROW(name, code, text, field, value)                                 \
    R(gan_dataset_gcn, name, code, text, NULL,                                   \
      gan_dataset *ds; gan_gcn_options o = GAN_GCN_OPTIONS_INIT; o.field = value; \
      return CALL(gan_dataset_gcn(&ds, f->data, &o));)
GCN_ROW("bad version", GAN_EUNSUPPORTED, "version", version, 2)
DGCN_ROW("bad version", GAN_EUNSUPPORTED, "version", version, 2)
GCN_ROW("scale 0", GAN_EINVAL, "scale", scale, 0.0f)
DGCN_ROW("scale 0", GAN_EINVAL, "scale", scale, 0.0f)
GCN_ROW("scale negative", GAN_EINVAL, "scale", scale, -55.0f)
DGCN_ROW("scale negative", GAN_EINVAL, "scale", scale, -55.0f)
GCN_ROW("scale NaN", GAN_EINVAL, "scale", scale, NAN)
DGCN_ROW("scale NaN", GAN_EINVAL, "scale", scale, NAN)
GCN_ROW("scale Inf", GAN_EINVAL, "scale", scale, INFINITY)
DGCN_ROW("scale Inf", GAN_EINVAL, "scale", scale, INFINITY)
GCN_ROW("sqrt_bias negative", GAN_EINVAL, "sqrt_bias", sqrt_bias, -10.0f)
DGCN_ROW("sqrt_bias negative", GAN_EINVAL, "sqrt_bias", sqrt_bias, -10.0f)
GCN_ROW("sqrt_bias Inf", GAN_EINVAL, "sqrt_bias", sqrt_bias, INFINITY)
DGCN_ROW("sqrt_bias Inf", GAN_EINVAL, "sqrt_bias", sqrt_bias, INFINITY)
GCN_ROW("min_divisor NaN", GAN_EINVAL, "min_divisor", min_divisor, NAN)
DGCN_ROW("min_divisor NaN", GAN_EINVAL, "min_divisor", min_divisor, NAN)
GCN_ROW("min_divisor negative", GAN_EINVAL, "min_divisor", min_divisor, -1e-8f)
DGCN_ROW("min_divisor negative", GAN_EINVAL, "min_divisor", min_divisor, -1e-8f)
#undef GCN_ROW
#undef DGCN_ROW
R(gan_gcn, "x NULL", GAN_EINVAL, "x", NULL, return CALL(gan_gcn(NULL, 2, 3, NULL));)
R(gan_gcn, "cols 0", GAN_EINVAL, "cols", NULL, return CALL(gan_gcn(f->out, 2, 0, NULL));)
R(gan_gcn, "use_std with cols 1", GAN_EINVAL, "use_std", NULL,
  gan_gcn_options o = GAN_GCN_OPTIONS_INIT; o.use_std = 1; return CALL(gan_gcn(f->out, 2, 1, &o));)
R(gan_gcn, "rows x cols overflows", GAN_EINVAL, "overflow", NULL, return CALL(gan_gcn(f->out, SIZE_MAX / 2, 3, NULL));)
R(gan_gcn, "a NaN value", GAN_EINVAL, "row 1, column 2", NULL,
  memcpy(f->out, f->x, 6 * sizeof(float)); f->out[5] = NAN; return CALL(gan_gcn(f->out, 2, 3, NULL));)
R(gan_gcn, "rows 0 is a no-op", GAN_OK, NULL, NULL, return CALL(gan_gcn(f->out, 0, 3, NULL));)
R(gan_dataset_gcn, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_dataset_gcn(NULL, f->data, NULL));)
R(gan_dataset_gcn, "src NULL", GAN_EINVAL, "src", NULL, gan_dataset *ds; return CALL(gan_dataset_gcn(&ds, NULL, NULL));)

/* ---- generator files ------------------------------------------------------ */
/* A generator of the fixture's G, made in the row (SETUP), freed after. */
#define WITH_GEN(call)                                                   \
    gan_generator *gen = NULL;                                           \
    SETUP(gan_generator_create(&gen, f->g, NULL));                       \
    int rc_ = CALL(call);                                                \
    gan_generator_free(gen);                                             \
    return rc_;
R(gan_generator_options_init, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_generator_options_init(NULL, GAN_GENERATOR_OPTIONS_VERSION));)
R(gan_generator_options_init, "version 3", GAN_EUNSUPPORTED, "version", NULL,
  gan_generator_options o; return CALL(gan_generator_options_init(&o, 3));)
R(gan_generator_options_from_session, "opts NULL", GAN_EINVAL, "opts", NULL, return CALL(gan_generator_options_from_session(NULL, &f->so));)
R(gan_generator_options_from_session, "session NULL", GAN_EINVAL, "session", NULL,
  gan_generator_options o; return CALL(gan_generator_options_from_session(&o, NULL));)
R(gan_generator_options_from_session, "session version 0", GAN_EUNSUPPORTED, "version", NULL,
  gan_generator_options o; f->so.version = 0; return CALL(gan_generator_options_from_session(&o, &f->so));)
R(gan_generator_create, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_generator_create(NULL, f->g, NULL));)
R(gan_generator_create, "net NULL", GAN_EINVAL, "net", NULL, gan_generator *gen; return CALL(gan_generator_create(&gen, NULL, NULL));)
R(gan_generator_create, "bad version", GAN_EUNSUPPORTED, "version", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.version = 0;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "noise_kind 7", GAN_EINVAL, "noise_kind", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.noise_kind = 7;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "noise_scale NaN", GAN_EINVAL, "noise_scale", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.noise_scale = NAN;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "noise_scale 0", GAN_EINVAL, "noise_scale", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.noise_scale = 0.0f;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "output_scaling 9", GAN_EINVAL, "output_scaling", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.output_scaling = 9;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "noise_width not the net's", GAN_ESHAPE, "noise_width", NULL,
  gan_generator *gen; gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.noise_width = G_IN + 1;
  return CALL(gan_generator_create(&gen, f->g, &o));)
R(gan_generator_create, "net without layers", GAN_EINVAL, "no layers", NULL,
  gan_net *n; SETUP(gan_net_create(&n, G_IN)); gan_generator *gen = NULL;
  int rc_ = CALL(gan_generator_create(&gen, n, NULL)); gan_net_free(n); gan_generator_free(gen); return rc_;)
R(gan_generator_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_generator_free(NULL));)
R(gan_generator_save, "gen NULL", GAN_EINVAL, "gen", NULL, return CALL(gan_generator_save(NULL, PATH(P_OUT)));)
R(gan_generator_save, "path NULL", GAN_EINVAL, "path", NULL, WITH_GEN(gan_generator_save(gen, NULL)))
R(gan_generator_save, "path empty", GAN_EINVAL, "path", NULL, WITH_GEN(gan_generator_save(gen, "")))
R(gan_generator_save, "path is a folder", GAN_EIO, NULL, NULL, WITH_GEN(gan_generator_save(gen, PATH(P_DIR))))
R(gan_generator_save, "path is a FIFO", GAN_EIO, NULL, NULL, WITH_GEN(gan_generator_save(gen, fresh_special(f, P_FIFO))))
R(gan_generator_save, "folder missing", GAN_EIO, NULL, NULL, WITH_GEN(gan_generator_save(gen, PATH(P_NO_FOLDER))))
R(gan_generator_save_net, "net NULL", GAN_EINVAL, "net", NULL, return CALL(gan_generator_save_net(NULL, NULL, PATH(P_OUT)));)
R(gan_generator_save_net, "path NULL", GAN_EINVAL, "path", NULL, return CALL(gan_generator_save_net(f->g, NULL, NULL));)
R(gan_generator_save_net, "path empty", GAN_EINVAL, "path", NULL, return CALL(gan_generator_save_net(f->g, NULL, ""));)
R(gan_generator_save_net, "bad version", GAN_EUNSUPPORTED, "version", NULL,
  gan_generator_options o = GAN_GENERATOR_OPTIONS_INIT; o.version = 2;
  return CALL(gan_generator_save_net(f->g, &o, PATH(P_OUT)));)
R(gan_generator_save_net, "path is a folder", GAN_EIO, NULL, NULL, return CALL(gan_generator_save_net(f->g, NULL, PATH(P_DIR)));)
R(gan_generator_load, "out NULL", GAN_EINVAL, "out", NULL, return CALL(gan_generator_load(NULL, PATH(P_NET)));)
R(gan_generator_load, "path NULL", GAN_EINVAL, "path", NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, NULL));)
R(gan_generator_load, "path empty", GAN_EINVAL, "path", NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, ""));)
R(gan_generator_load, "missing file", GAN_EIO, "No such file", NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_MISSING)));)
R(gan_generator_load, "a folder", GAN_EIO, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_DIR)));)
R(gan_generator_load, "a FIFO", GAN_EIO, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_FIFO)));)
R(gan_generator_load, "empty file", GAN_EFORMAT, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_EMPTY)));)
R(gan_generator_load, "a checkpoint", GAN_EFORMAT, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_CKPT)));)
R(gan_generator_load, "a truncated net", GAN_EFORMAT, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_NET_TRUNC)));)
R(gan_generator_load, "a net with a NaN weight", GAN_EFORMAT, NULL, NULL, gan_generator *gen; return CALL(gan_generator_load(&gen, PATH(P_NET_NAN)));)
R(gan_generator_net, "NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_generator_net(NULL) != NULL, "not NULL for NULL"));)
R(gan_generator_get_options, "opts NULL", GAN_EINVAL, "opts", NULL, WITH_GEN(gan_generator_get_options(NULL, gen)))
R(gan_generator_get_options, "gen NULL", GAN_EINVAL, "gen", NULL,
  gan_generator_options o; return CALL(gan_generator_get_options(&o, NULL));)
R(gan_generator_noise_width, "NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_generator_noise_width(NULL) != 0, "not 0 for NULL"));)
R(gan_generator_output_width, "NULL", GAN_OK, NULL, NULL, CALLV(NOTE_IF(gan_generator_output_width(NULL) != 0, "not 0 for NULL"));)
R(gan_generator_noise, "out NULL", GAN_EINVAL, "out", NULL, WITH_GEN(gan_generator_noise(NULL, 2, G_IN, gen, f->rng)))
R(gan_generator_noise, "gen NULL", GAN_EINVAL, "gen", NULL, return CALL(gan_generator_noise(f->out, 2, G_IN, NULL, f->rng));)
R(gan_generator_noise, "rng NULL", GAN_EINVAL, "rng", NULL, WITH_GEN(gan_generator_noise(f->out, 2, G_IN, gen, NULL)))
R(gan_generator_noise, "rows 0", GAN_EINVAL, "rows", NULL, WITH_GEN(gan_generator_noise(f->out, 0, G_IN, gen, f->rng)))
R(gan_generator_noise, "cols not the noise width", GAN_ESHAPE, "cols", NULL, WITH_GEN(gan_generator_noise(f->out, 2, G_IN + 1, gen, f->rng)))
R(gan_generator_noise, "rows x cols overflows", GAN_EINVAL, "rows", NULL, WITH_GEN(gan_generator_noise(f->out, SIZE_MAX / 2, G_IN, gen, f->rng)))
/* An encoder E: G's output -> G's noise, its optimizer and a generator of f->g. */
#define WITH_ENC(call)                                                   \
    gan_generator *gen = NULL;                                           \
    gan_net *e = NULL;                                                   \
    gan_optimizer *eo = NULL;                                            \
    gan_encoder_trainer *t = NULL;                                       \
    gan_optimizer_options oo_ = GAN_OPTIMIZER_OPTIONS_INIT;              \
    SETUP(gan_generator_create(&gen, f->g, NULL));                       \
    SETUP(gan_net_create(&e, G_OUT));                                    \
    SETUP(gan_net_add_dense(e, G_IN, GAN_ACT_IDENTITY));                 \
    SETUP(gan_optimizer_create(&eo, e, &oo_));                           \
    int rc_ = CALL(call);                                                \
    gan_encoder_trainer_free(t);                                         \
    gan_optimizer_free(eo);                                              \
    gan_net_free(e);                                                     \
    gan_generator_free(gen);                                             \
    return rc_;
R(gan_encoder_trainer_create, "out NULL", GAN_EINVAL, "out", NULL, WITH_ENC(gan_encoder_trainer_create(NULL, e, eo, gen, 4, 1)))
R(gan_encoder_trainer_create, "e NULL", GAN_EINVAL, "e", NULL, WITH_ENC(gan_encoder_trainer_create(&t, NULL, eo, gen, 4, 1)))
R(gan_encoder_trainer_create, "e_opt NULL", GAN_EINVAL, "e_opt", NULL, WITH_ENC(gan_encoder_trainer_create(&t, e, NULL, gen, 4, 1)))
R(gan_encoder_trainer_create, "gen NULL", GAN_EINVAL, "gen", NULL, WITH_ENC(gan_encoder_trainer_create(&t, e, eo, NULL, 4, 1)))
R(gan_encoder_trainer_create, "rows 0", GAN_EINVAL, "rows", NULL, WITH_ENC(gan_encoder_trainer_create(&t, e, eo, gen, 0, 1)))
R(gan_encoder_trainer_create, "rows SIZE_MAX", GAN_EINVAL, "rows", NULL, WITH_ENC(gan_encoder_trainer_create(&t, e, eo, gen, SIZE_MAX, 1)))
R(gan_encoder_trainer_create, "e_opt bound to another net", GAN_EINVAL, "e_opt", NULL, WITH_ENC(gan_encoder_trainer_create(&t, e, f->g_opt, gen, 4, 1)))
R(gan_encoder_trainer_create, "e outputs 1, not the noise width", GAN_ESHAPE, "noise", NULL, WITH_ENC(gan_encoder_trainer_create(&t, f->d, f->d_opt, gen, 4, 1)))
R(gan_encoder_trainer_create, "e reads G's noise, not its output", GAN_ESHAPE, "output", NULL, WITH_ENC(gan_encoder_trainer_create(&t, f->g, f->g_opt, gen, 4, 1)))
R(gan_encoder_trainer_step, "t NULL", GAN_EINVAL, "t", NULL, return CALL(gan_encoder_trainer_step(NULL, NULL));)
R(gan_encoder_trainer_free, "NULL", GAN_OK, NULL, NULL, CALLV(gan_encoder_trainer_free(NULL));)
R(gan_generator_forward, "out NULL", GAN_EINVAL, "out", NULL, WITH_GEN(gan_generator_forward(NULL, 2, G_OUT, gen, f->z, G_IN)))
R(gan_generator_forward, "gen NULL", GAN_EINVAL, "gen", NULL, return CALL(gan_generator_forward(f->out, 2, G_OUT, NULL, f->z, G_IN));)
R(gan_generator_forward, "z NULL", GAN_EINVAL, "z", NULL, WITH_GEN(gan_generator_forward(f->out, 2, G_OUT, gen, NULL, G_IN)))
R(gan_generator_forward, "rows 0", GAN_EINVAL, "rows", NULL, WITH_GEN(gan_generator_forward(f->out, 0, G_OUT, gen, f->z, G_IN)))
R(gan_generator_forward, "cols mismatch", GAN_ESHAPE, "cols", NULL, WITH_GEN(gan_generator_forward(f->out, 2, G_OUT + 1, gen, f->z, G_IN)))
R(gan_generator_forward, "z_cols mismatch", GAN_ESHAPE, "z_cols", NULL, WITH_GEN(gan_generator_forward(f->out, 2, G_OUT, gen, f->z, G_IN + 1)))
R(gan_generator_sample, "out NULL", GAN_EINVAL, "out", NULL, WITH_GEN(gan_generator_sample(NULL, 2, G_OUT, gen, f->rng)))
R(gan_generator_sample, "gen NULL", GAN_EINVAL, "gen", NULL, return CALL(gan_generator_sample(f->out, 2, G_OUT, NULL, f->rng));)
R(gan_generator_sample, "rng NULL", GAN_EINVAL, "rng", NULL, WITH_GEN(gan_generator_sample(f->out, 2, G_OUT, gen, NULL)))
R(gan_generator_sample, "rows 0", GAN_EINVAL, "rows", NULL, WITH_GEN(gan_generator_sample(f->out, 0, G_OUT, gen, f->rng)))
R(gan_generator_sample, "cols mismatch", GAN_ESHAPE, "cols", NULL, WITH_GEN(gan_generator_sample(f->out, 2, G_OUT - 1, gen, f->rng)))
R(gan_generator_sample, "rows x cols overflows", GAN_EINVAL, "rows", NULL, WITH_GEN(gan_generator_sample(f->out, SIZE_MAX / 2, G_OUT, gen, f->rng)))
#undef WITH_GEN

/* ---- colour grids --------------------------------------------------------- */
#define PNGRGB(path, img, gr, gc, h, w, last) gan_png_write_grid_rgb(path, img, gr, gc, h, w, last)
R(gan_png_write_grid_rgb, "path NULL", GAN_EINVAL, "path", NULL, return CALL(PNGRGB(NULL, f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "images NULL", GAN_EINVAL, "images", NULL, return CALL(PNGRGB(PATH(P_OUT), NULL, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "path empty", GAN_EINVAL, "path", NULL, return CALL(PNGRGB("", f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "grid_rows 0", GAN_EINVAL, "grid_rows", NULL, return CALL(PNGRGB(PATH(P_OUT), f->x, 0, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "h 0", GAN_EINVAL, "h", NULL, return CALL(PNGRGB(PATH(P_OUT), f->x, 2, 2, 0, 1, NULL));)
R(gan_png_write_grid_rgb, "w x grid_cols overflows", GAN_EINVAL, "pixels", NULL, return CALL(PNGRGB(PATH(P_OUT), f->x, 2, SIZE_MAX / 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "path is a folder", GAN_EIO, NULL, NULL, return CALL(PNGRGB(PATH(P_DIR), f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "path is a FIFO", GAN_EIO, NULL, NULL, return CALL(PNGRGB(fresh_special(f, P_FIFO), f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_rgb, "folder is a regular file", GAN_EIO, NULL, NULL, return CALL(PNGRGB(PATH(P_UNDER_FILE), f->x, 2, 2, 2, 1, NULL));)
#undef PNGRGB
#define PNGCHW(path, img, gr, gc, h, w, last) gan_png_write_grid_chw(path, img, gr, gc, h, w, last)
R(gan_png_write_grid_chw, "path NULL", GAN_EINVAL, "path", NULL, return CALL(PNGCHW(NULL, f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_chw, "images NULL", GAN_EINVAL, "images", NULL, return CALL(PNGCHW(PATH(P_OUT), NULL, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_chw, "path empty", GAN_EINVAL, "path", NULL, return CALL(PNGCHW("", f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_chw, "grid_cols 0", GAN_EINVAL, "grid_cols", NULL, return CALL(PNGCHW(PATH(P_OUT), f->x, 2, 0, 2, 1, NULL));)
R(gan_png_write_grid_chw, "w 0", GAN_EINVAL, "w", NULL, return CALL(PNGCHW(PATH(P_OUT), f->x, 2, 2, 2, 0, NULL));)
R(gan_png_write_grid_chw, "h x grid_rows overflows", GAN_EINVAL, "pixels", NULL, return CALL(PNGCHW(PATH(P_OUT), f->x, SIZE_MAX / 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_chw, "path is a folder", GAN_EIO, NULL, NULL, return CALL(PNGCHW(PATH(P_DIR), f->x, 2, 2, 2, 1, NULL));)
R(gan_png_write_grid_chw, "folder is a regular file", GAN_EIO, NULL, NULL, return CALL(PNGCHW(PATH(P_UNDER_FILE), f->x, 2, 2, 2, 1, NULL));)
#undef PNGCHW
