/**
 * The catalogue over HTTP (catalogue.ts, csv.ts), behind a manager session:
 *
 *   GET    /manager/catalogue                               → { locations, categories, products }
 *   POST   /manager/categories                              { name, colour } → 201 { category }
 *   PUT    /manager/categories/order                        { ids } → { categories }
 *   PUT    /manager/categories/:id                          { name?, colour? } → { category }
 *   DELETE /manager/categories/:id                          → 204 (409 category-in-use)
 *   POST   /manager/products                                { name, categoryId, barcode?, allergens, active, orderable, prices } → 201 { product }
 *   PUT    /manager/products/:id                            { name?, categoryId?, barcode?, allergens?, active?, orderable? } → { product }
 *   PUT    /manager/products/:id/prices                     { locationId, price, from? } → { product }
 *   DELETE /manager/products/:id/prices/:locationId/:from   → { product } (409 already-in-effect)
 *   PUT    /manager/products/:id/image                      { data } → { product };  DELETE → { product }
 *   DELETE /manager/products/:id                            → 204 (409 product-has-sales: retire it)
 *   GET    /manager/catalogue.csv                           → text/csv
 *   POST   /manager/catalogue/import                        { csv, commit } → { rows, created, updated, unchanged, errors }
 *
 * It also runs the timer that moves price changes into today's prices when they come due
 * (catalogue.ts startPricePromotion), stopped when the server closes.
 */
import { z } from 'zod'
import { Allergen } from '../../domain/allergens'
import { HttpError, parseInput } from '../platform/errors'
import { managerOf } from './auth'
import { NewCategoryId, NewProductId } from './create-once'
import {
  MAX_IMAGE_BYTES,
  cancelPriceChange,
  catalogueOf,
  createCategory,
  createProduct,
  deleteCategory,
  deleteProduct,
  orderCategories,
  prepareProductImage,
  setProductImage,
  setProductPrice,
  startPricePromotion,
  updateCategory,
  updateProduct,
} from './catalogue'
import { exportCatalogue, importCatalogue } from './csv'
import { IdParams, answer, type ManagerArea, type Refusals } from './http'

const Id = z.string().min(1).max(64)
const Name = z.string().max(200)
const Colour = z.string().max(7).nullable()
const Ore = z.number().int().min(0).safe()
const Allergens = z.array(Allergen).max(14)
const Barcode = z.string().max(32).nullable()

const NewCategory = z.object({ id: NewCategoryId.optional(), name: Name, colour: Colour }).strict()
const CategoryChange = z.object({ name: Name.optional(), colour: Colour.optional() }).strict()
const CategoryOrder = z.object({ ids: z.array(Id).max(1000) }).strict()
const NewProduct = z
  .object({
    id: NewProductId.optional(),
    name: Name,
    categoryId: Id,
    barcode: Barcode.optional(),
    allergens: Allergens,
    active: z.boolean(),
    orderable: z.boolean(),
    prices: z.record(Id, Ore),
  })
  .strict()
const ProductChange = z
  .object({
    name: Name.optional(),
    categoryId: Id.optional(),
    barcode: Barcode.optional(),
    allergens: Allergens.optional(),
    active: z.boolean().optional(),
    orderable: z.boolean().optional(),
  })
  .strict()
const PriceRequest = z.object({ locationId: Id, price: Ore.nullable(), from: z.iso.datetime({ offset: true }).optional() }).strict()
const PriceParams = z.object({ id: Id, locationId: Id, from: z.iso.datetime({ offset: true }) })
const ImageRequest = z.object({ data: z.string().min(1).max(Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 64) }).strict()
const ImportRequest = z.object({ csv: z.string().max(20_000_000), commit: z.boolean() }).strict()

/** The image route takes a base64 body of up to 8 MB (the server's default limit is a push's). */
const IMAGE_BODY_LIMIT = Math.ceil(MAX_IMAGE_BYTES / 3) * 4 + 4096
const IMPORT_BODY_LIMIT = 20 * 1024 * 1024

const refusals: Refusals = {
  'category-unknown': () => new HttpError(404, 'category-unknown', 'no such category in your municipality'),
  'category-in-use': () => new HttpError(409, 'category-in-use', 'products are in this category: move or delete them first'),
  'order-invalid': () => new HttpError(400, 'order-invalid', 'the new order must name every category of your municipality once'),
  'name-invalid': () => new HttpError(400, 'name-invalid', 'a name is 1 to 120 characters'),
  'colour-invalid': () => new HttpError(400, 'colour-invalid', 'a colour is #rrggbb, or null for none'),
  'product-unknown': () => new HttpError(404, 'product-unknown', 'no such product in your municipality'),
  'barcode-invalid': () => new HttpError(400, 'barcode-invalid', 'a barcode is an EAN-13, EAN-8 or UPC-A with a correct check digit'),
  'barcode-taken': () => new HttpError(409, 'barcode-taken', 'another product of your municipality has this barcode'),
  'price-invalid': () => new HttpError(400, 'price-invalid', 'a price is a whole number of øre, 0 or more'),
  'from-in-past': () => new HttpError(400, 'from-in-past', 'a price change takes effect now or from a future time'),
  'schedule-full': () => new HttpError(409, 'schedule-full', 'too many price changes are waiting for this product at this canteen'),
  'change-unknown': () => new HttpError(404, 'change-unknown', 'no such price change'),
  'already-in-effect': () => new HttpError(409, 'already-in-effect', 'this price change has already taken effect'),
  'image-invalid': () => new HttpError(400, 'image-invalid', 'the picture must be a JPEG, PNG or WebP of at most 8 MB'),
  'product-has-sales': () => new HttpError(409, 'product-has-sales', 'sales, orders or tills name this product: retire it instead (active: false)'),
  'id-taken': () => new HttpError(409, 'id-taken', 'that id is taken: open the form again for a new one'),
}

export const catalogueRoutes: ManagerArea = async (scope, { ctx }) => {
  const promotion = startPricePromotion(ctx)
  scope.addHook('onClose', async () => promotion.stop())

  scope.get('/manager/catalogue', async (request) => catalogueOf(ctx, managerOf(request)))

  scope.post('/manager/categories', async (request, reply) => {
    const body = parseInput(NewCategory, request.body, 'new category')
    return reply.code(201).send({ category: answer(await createCategory(ctx, managerOf(request), body), refusals) })
  })

  scope.put('/manager/categories/order', async (request) => {
    const { ids } = parseInput(CategoryOrder, request.body, 'category order')
    return { categories: answer(await orderCategories(ctx, managerOf(request), ids), refusals) }
  })

  scope.put('/manager/categories/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'category id')
    const body = parseInput(CategoryChange, request.body, 'category change')
    return { category: answer(await updateCategory(ctx, managerOf(request), id, body), refusals) }
  })

  scope.delete('/manager/categories/:id', async (request, reply) => {
    const { id } = parseInput(IdParams, request.params, 'category id')
    answer(await deleteCategory(ctx, managerOf(request), id), refusals)
    return reply.code(204).send()
  })

  scope.post('/manager/products', async (request, reply) => {
    const body = parseInput(NewProduct, request.body, 'new product')
    return reply.code(201).send({ product: answer(await createProduct(ctx, managerOf(request), body), refusals) })
  })

  scope.put('/manager/products/:id', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'product id')
    const body = parseInput(ProductChange, request.body, 'product change')
    return { product: answer(await updateProduct(ctx, managerOf(request), id, body), refusals) }
  })

  scope.put('/manager/products/:id/prices', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'product id')
    const body = parseInput(PriceRequest, request.body, 'price change')
    const change = { locationId: body.locationId, price: body.price, ...(body.from ? { from: new Date(body.from) } : {}) }
    return { product: answer(await setProductPrice(ctx, managerOf(request), id, change), refusals) }
  })

  scope.delete('/manager/products/:id/prices/:locationId/:from', async (request) => {
    const { id, locationId, from } = parseInput(PriceParams, request.params, 'price change')
    return { product: answer(await cancelPriceChange(ctx, managerOf(request), id, locationId, new Date(from)), refusals) }
  })

  scope.put('/manager/products/:id/image', { bodyLimit: IMAGE_BODY_LIMIT }, async (request) => {
    const { id } = parseInput(IdParams, request.params, 'product id')
    const { data } = parseInput(ImageRequest, request.body, 'picture')
    const image = answer(await prepareProductImage(data), refusals)
    return { product: answer(await setProductImage(ctx, managerOf(request), id, image), refusals) }
  })

  scope.delete('/manager/products/:id/image', async (request) => {
    const { id } = parseInput(IdParams, request.params, 'product id')
    return { product: answer(await setProductImage(ctx, managerOf(request), id, null), refusals) }
  })

  scope.delete('/manager/products/:id', async (request, reply) => {
    const { id } = parseInput(IdParams, request.params, 'product id')
    answer(await deleteProduct(ctx, managerOf(request), id), refusals)
    return reply.code(204).send()
  })

  scope.get('/manager/catalogue.csv', async (request, reply) => {
    const csv = await exportCatalogue(ctx, managerOf(request))
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="kantine-katalog.csv"').send(csv)
  })

  scope.post('/manager/catalogue/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const { csv, commit } = parseInput(ImportRequest, request.body, 'catalogue import')
    return importCatalogue(ctx, managerOf(request), csv, commit)
  })
}
